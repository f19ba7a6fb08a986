package dev.minter.api;

import dev.minter.attest.WorkloadIdentity;
import io.grpc.Context;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The attested caller and request id of the current gRPC call, as the {@link AttestationInterceptor} set them. The
 * identity is a holder because request-carried evidence is only seen with the first message, after the call started.
 */
final class Caller {
  static final Context.Key<AtomicReference<WorkloadIdentity>> IDENTITY = Context.key("minter.identity");
  static final Context.Key<String> REQUEST_ID = Context.key("minter.request-id");

  private Caller() {}

  /** The verified identity; present on every call the interceptor let through. */
  static WorkloadIdentity identity() {
    AtomicReference<WorkloadIdentity> holder = IDENTITY.get();
    WorkloadIdentity identity = holder == null ? null : holder.get();
    if (identity == null) {
      // Fail closed: a service reached without the interceptor must not act for anyone.
      throw new IllegalStateException("no attested identity in the call context");
    }
    return identity;
  }

  static String requestId() {
    String id = REQUEST_ID.get();
    return id != null ? id : dev.minter.task.RequestIds.next();
  }
}
