package dev.minter.api;

import dev.minter.audit.AuditWriteException;
import dev.minter.ledger.LedgerException;
import dev.minter.task.TaskException;
import dev.minter.vault.VaultRequestException;
import dev.minter.vault.VaultUnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become gRPC statuses. Detailed inside, generic outside: the log gets the whole
 * story under the request id; the caller gets a status, a short reason it can act on and the request id, never a
 * stack trace or an internal address.
 */
final class StatusMapper {
  private static final Logger log = LoggerFactory.getLogger(StatusMapper.class);

  private StatusMapper() {}

  static StatusRuntimeException toStatus(Throwable error, String requestId) {
    Status status = map(error, requestId);
    return status
        .withDescription(status.getDescription() + " (request " + requestId + ")")
        .asRuntimeException();
  }

  private static Status map(Throwable error, String requestId) {
    return switch (error) {
      case StatusRuntimeException e -> e.getStatus();
      case TaskException e -> {
        log.info("{} refused: {}", requestId, e.getMessage());
        yield switch (e.kind()) {
          case INVALID -> Status.INVALID_ARGUMENT.withDescription(e.getMessage());
          case NOT_FOUND -> Status.NOT_FOUND.withDescription(e.getMessage());
          case DENIED -> Status.PERMISSION_DENIED.withDescription(e.getMessage());
          case NOT_OPEN -> Status.FAILED_PRECONDITION.withDescription(e.getMessage());
          case UNAUTHENTICATED -> Status.UNAUTHENTICATED.withDescription(e.getMessage());
          case QUOTA -> Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
        };
      }
      case IllegalArgumentException e -> {
        log.info("{} invalid argument: {}", requestId, e.getMessage());
        yield Status.INVALID_ARGUMENT.withDescription(e.getMessage());
      }
      case VaultUnavailableException e -> {
        log.warn("{} Vault unavailable: {}", requestId, e.getMessage());
        yield Status.UNAVAILABLE.withDescription(
            "the credential backend (Vault/OpenBao) is unavailable; nothing was issued, retry later");
      }
      case VaultRequestException e -> {
        log.error("{} Vault refused a request (HTTP {}): {}", requestId, e.status(), e.getMessage());
        yield Status.INTERNAL.withDescription(
            "the credential backend refused the request; an operator can find why in Minter's log");
      }
      case AuditWriteException e -> {
        log.error("{} audit write failed: {}", requestId, e.getMessage(), e);
        yield Status.UNAVAILABLE.withDescription("the audit log is unavailable; nothing was issued");
      }
      case LedgerException e -> {
        log.error("{} ledger failed: {}", requestId, e.getMessage(), e);
        yield Status.UNAVAILABLE.withDescription("Minter's ledger is unavailable; nothing was issued");
      }
      default -> {
        log.error("{} internal error", requestId, error);
        yield Status.INTERNAL.withDescription("internal error");
      }
    };
  }
}
