package dev.minter.api;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditQuery;
import dev.minter.audit.AuditTail;
import dev.minter.audit.AuditVerification;
import dev.minter.audit.AuditVerifier;
import dev.minter.policy.Decision;
import dev.minter.policy.Glob;
import dev.minter.policy.Policy;
import dev.minter.policy.PolicyEngine;
import dev.minter.policy.PolicyExplanation;
import dev.minter.policy.PolicyRequest;
import dev.minter.proto.v1.AuditRecord;
import dev.minter.proto.v1.ExplainPolicyRequest;
import dev.minter.proto.v1.ExplainPolicyResponse;
import dev.minter.proto.v1.QueryAuditRequest;
import dev.minter.proto.v1.RuleTrace;
import dev.minter.proto.v1.VerifyAuditResponse;
import dev.minter.task.TaskException;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * The audit-and-policy admin RPCs: query and tail the server's audit log, verify its chain, explain a policy decision.
 * All read-only; the caller has already been admitted (and that call audited) by {@link AdminService}.
 */
final class AuditAdmin {
  static final int DEFAULT_LIMIT = 1000;
  static final int MAX_LIMIT = 100_000;

  private final Path auditFile;
  private final Duration pollInterval;

  AuditAdmin(Path auditFile, Duration pollInterval) {
    this.auditFile = requireNonNull(auditFile, "auditFile");
    this.pollInterval = requireNonNull(pollInterval, "pollInterval");
  }

  /**
   * Streams the <em>last</em> {@code limit} matching records (the most recent are what an operator looks for, and a
   * bounded window keeps memory bounded); with {@code follow}, then every matching record appended later, polling
   * the file from where it stopped, until the client cancels.
   */
  void query(QueryAuditRequest request, ServerCallStreamObserver<AuditRecord> out) {
    AuditQuery query = query(request);
    int limit = request.getLimit() == 0 ? DEFAULT_LIMIT : request.getLimit();
    if (limit < 0 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
    }
    try (AuditTail tail = AuditTail.open(auditFile)) {
      ArrayDeque<AuditTail.Entry> window = new ArrayDeque<>();
      for (AuditTail.Entry e : tail.poll()) {
        if (query.matches(e.fields())) {
          if (window.size() == limit) {
            window.removeFirst();
          }
          window.addLast(e);
        }
      }
      for (AuditTail.Entry e : window) {
        out.onNext(toProto(e));
      }
      while (request.getFollow() && !out.isCancelled()) {
        Thread.sleep(pollInterval.toMillis());
        for (AuditTail.Entry e : tail.poll()) {
          if (query.matches(e.fields()) && !out.isCancelled()) {
            out.onNext(toProto(e));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the server is shutting down: end the stream
    }
  }

  VerifyAuditResponse verify() {
    try {
      return switch (AuditVerifier.verify(auditFile)) {
        case AuditVerification.Intact i ->
            VerifyAuditResponse.newBuilder().setIntact(true).setCount(i.count()).setHeadHash(i.headHash()).build();
        case AuditVerification.Broken b ->
            VerifyAuditResponse.newBuilder()
                .setIntact(false)
                .setCount(b.line() - 1)
                .setProblem("line " + b.line() + ": " + b.reason())
                .build();
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static AuditQuery query(QueryAuditRequest r) {
    return new AuditQuery(
        r.getEvent().isEmpty() ? Optional.empty() : Optional.of(r.getEvent()),
        r.getIdentity().isEmpty() ? Optional.empty() : Optional.of(Glob.compile(r.getIdentity())),
        r.getTaskId().isEmpty() ? Optional.empty() : Optional.of(r.getTaskId()),
        r.hasSince() ? Optional.of(instant(r.getSince())) : Optional.empty(),
        r.hasUntil() ? Optional.of(instant(r.getUntil())) : Optional.empty());
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private static AuditRecord toProto(AuditTail.Entry e) {
    return AuditRecord.newBuilder().setSeq(e.seq()).setJson(e.line()).build();
  }
}
