package dev.minter.api;

import dev.minter.attest.WorkloadIdentity;
import io.grpc.Context;

/** The attested caller and request id of the current gRPC call, as the {@link AttestationInterceptor} set them. */
final class Caller {
  static final Context.Key<WorkloadIdentity> IDENTITY = Context.key("minter.identity");
  static final Context.Key<String> REQUEST_ID = Context.key("minter.request-id");

  private Caller() {}

  /** The verified identity; present on every call the interceptor let through. */
  static WorkloadIdentity identity() {
    WorkloadIdentity identity = IDENTITY.get();
    if (identity == null) {
      // Fail closed: a service reached without the interceptor must not act for anyone.
      throw new IllegalStateException("no attested identity in the call context");
    }
    return identity;
  }

  static String requestId() {
    return REQUEST_ID.get();
  }
}
