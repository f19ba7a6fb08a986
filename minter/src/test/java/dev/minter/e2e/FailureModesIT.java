package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.audit.AuditRecords;
import dev.minter.audit.AuditVerification;
import dev.minter.audit.AuditVerifier;
import dev.minter.audit.AuditWriteException;
import dev.minter.proto.v1.MintCredentialResponse;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What happens when the parts Minter depends on fail: nothing half-done survives, and service resumes. */
class FailureModesIT {
  @TempDir Path dir;
  MinterFixture minter;

  @AfterEach
  void stop() {
    if (minter != null) {
      minter.close();
    }
  }

  @Test
  void auditLogCannotBeWritten_noCredentialReturned_andNoLeaseLeftBehind() throws Exception {
    AtomicBoolean diskFull = new AtomicBoolean(false);
    minter = new MinterFixture(dir).start(log -> new FailingAuditLog(log, diskFull));
    try (Agent agent = new Agent(minter.channelFor(MinterFixture.AGENT))) {
      String taskId = agent.begin("report:audit-fails", 300, "analytics-ro").getTaskId();
      long rolesBefore = Postgres.dynamicRoles();
      long leasesBefore = minter.stack.leaseCount("database/creds/analytics-ro/");
      diskFull.set(true);

      assertThatThrownBy(() -> agent.mint(taskId, "analytics-ro"))
          .satisfies(e -> {
            Status status = Status.fromThrowable(e);
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(status.getDescription()).contains("audit log is unavailable; nothing was issued");
          });

      assertThat(minter.stack.leaseCount("database/creds/analytics-ro/")).isEqualTo(leasesBefore);
      assertThat(Postgres.dynamicRoles()).isEqualTo(rolesBefore);
      diskFull.set(false);
      // The chain written before and after the failure is intact, and the intent record is there.
      assertThat(AuditVerifier.verify(minter.auditFile())).isInstanceOf(AuditVerification.Intact.class);
      assertThat(AuditRecords.read(minter.auditFile()))
          .anySatisfy(r -> assertThat(r).containsEntry("event", "credential.mint").containsEntry("outcome", "pending"));
    }
  }

  @Test
  void openBaoStopped_unavailableWithClearMessage_thenMintingWorksAgainAfterRestart() throws Exception {
    minter = new MinterFixture(dir).start();
    try (Agent agent = new Agent(minter.channelFor(MinterFixture.AGENT))) {
      String taskId = agent.begin("report:outage", 600, "analytics-ro").getTaskId();
      minter.stack.stopOpenBao();
      try {
        assertThatThrownBy(() -> agent.mint(taskId, "analytics-ro"))
            .satisfies(e -> {
              Status status = Status.fromThrowable(e);
              assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(status.getDescription()).contains("Vault/OpenBao").contains("unavailable");
            });
        assertThatThrownBy(() -> agent.begin("report:outage", 60, "analytics-ro"))
            .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      } finally {
        minter.stack.startOpenBao();
      }
      MintCredentialResponse cred = agent.mint(taskId, "analytics-ro");
      assertThat(Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
          .isPositive();
      agent.complete(taskId);
    }
  }

  /** An audit log whose disk "fills up" on the record that would release a credential. */
  private record FailingAuditLog(AuditLog delegate, AtomicBoolean diskFull) implements AuditLog {
    @Override
    public long append(AuditEvent event) {
      if (diskFull.get() && "issued".equals(event.fields().get("outcome"))) {
        throw new AuditWriteException("audit log: no space left on device", new IOException("ENOSPC"));
      }
      return delegate.append(event);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
