package dev.minter.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.audit.AuditWriteException;
import dev.minter.ledger.LedgerException;
import dev.minter.task.TaskException;
import dev.minter.vault.VaultRequestException;
import dev.minter.vault.VaultUnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StatusMapperTest {
  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of("invalid", new TaskException(TaskException.Kind.INVALID, "ttl: PT0S (expected: > 0)"),
            Status.Code.INVALID_ARGUMENT, "ttl: PT0S (expected: > 0)"),
        Arguments.of("not found", new TaskException(TaskException.Kind.NOT_FOUND, "task tsk_1 not found"),
            Status.Code.NOT_FOUND, "task tsk_1 not found"),
        Arguments.of("denied", new TaskException(TaskException.Kind.DENIED, "denied by policy rule 'r': x"),
            Status.Code.PERMISSION_DENIED, "denied by policy rule 'r': x"),
        Arguments.of("not open", new TaskException(TaskException.Kind.NOT_OPEN, "task tsk_1 is completed"),
            Status.Code.FAILED_PRECONDITION, "task tsk_1 is completed"),
        Arguments.of("vault down",
            new VaultUnavailableException("OpenBao at http://10.0.0.9:8200 is unreachable", new IOException("refused")),
            Status.Code.UNAVAILABLE, "Vault/OpenBao) is unavailable"),
        Arguments.of("vault refuses", new VaultRequestException(403, "permission denied on database/creds/x"),
            Status.Code.INTERNAL, "credential backend refused"),
        Arguments.of("audit disk full", new AuditWriteException("audit: ENOSPC", new IOException("ENOSPC")),
            Status.Code.UNAVAILABLE, "audit log is unavailable; nothing was issued"),
        Arguments.of("ledger down", new LedgerException("ledger: insert failed", new IOException("disk")),
            Status.Code.UNAVAILABLE, "ledger is unavailable"),
        Arguments.of("bug", new NullPointerException("secretish internal detail"),
            Status.Code.INTERNAL, "internal error"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void toStatus_eachFault_mapsToOneStatusWithShortReasonAndRequestId(
      String name, Throwable error, Status.Code code, String fragment) {
    StatusRuntimeException status = StatusMapper.toStatus(error, "req_0123456789ab");

    assertThat(status.getStatus().getCode()).isEqualTo(code);
    assertThat(status.getStatus().getDescription()).contains(fragment).endsWith("(request req_0123456789ab)");
    assertThat(status.getStatus().getCause()).isNull(); // no stack trace or cause travels to the client
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void toStatus_internalDetails_doNotLeakToTheClient(String name, Throwable error, Status.Code code, String fragment) {
    String description = StatusMapper.toStatus(error, "req_x").getStatus().getDescription();

    assertThat(description).doesNotContain("10.0.0.9").doesNotContain("secretish").doesNotContain("ENOSPC")
        .doesNotContain("Exception");
  }
}
