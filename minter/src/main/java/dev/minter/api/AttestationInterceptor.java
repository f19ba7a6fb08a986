package dev.minter.api;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.minter.attest.AttestationResult;
import dev.minter.attest.Attestors;
import dev.minter.attest.Evidence;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.task.RequestIds;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attests the caller of every call (authentication is not a session) and puts the verified identity in the gRPC
 * {@link Context}. Evidence is taken, in this order, from the request's {@code evidence} field, from an
 * {@code authorization: Bearer} header (a JWT-SVID), or from the TLS client certificate (an X.509-SVID); the first
 * message is held back until it is attested. A rejected caller gets UNAUTHENTICATED (INVALID_ARGUMENT for malformed
 * evidence) with the reason and a request id, and an {@code attest.reject} audit record. Only health, reflection and
 * IssueNonce are open without attestation.
 */
public final class AttestationInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AttestationInterceptor.class);
  private static final Set<String> OPEN_SERVICES =
      Set.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");
  private static final Set<String> OPEN_METHODS = Set.of("minter.v1.Minter/IssueNonce");
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final String JWT_SVID = "jwt_svid";

  private final Attestors attestors;
  private final AuditLog audit;
  private final RejectionListener rejections;

  /** Hears of every rejected attestation after it is audited (e.g. the anomaly detector). Must not block. */
  @FunctionalInterface
  public interface RejectionListener {
    RejectionListener NONE = (rejected, peer, requestId) -> {};

    /**
     * {@code peer} is the transport's remote address (a rejected caller has no verified identity); {@code requestId}
     * is the one in the {@code attest.reject} record.
     */
    void rejected(AttestationResult.Rejected rejected, SocketAddress peer, String requestId);
  }

  public AttestationInterceptor(Attestors attestors, AuditLog audit) {
    this(attestors, audit, RejectionListener.NONE);
  }

  public AttestationInterceptor(Attestors attestors, AuditLog audit, RejectionListener rejections) {
    this.attestors = attestors;
    this.audit = audit;
    this.rejections = rejections;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (OPEN_SERVICES.contains(call.getMethodDescriptor().getServiceName())
        || OPEN_METHODS.contains(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    String requestId = RequestIds.next();
    List<X509Certificate> chain = peerChain(call);
    String bearer = bearer(headers);
    AtomicReference<WorkloadIdentity> identity = new AtomicReference<>();
    Context context = Context.current().withValues(Caller.IDENTITY, identity, Caller.REQUEST_ID, requestId);
    ServerCall.Listener<Q> delegate = Contexts.interceptCall(context, call, headers, next);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      private boolean rejected;

      @Override
      public void onMessage(Q message) {
        if (rejected) {
          return;
        }
        if (identity.get() == null) {
          AttestationResult result = attestors.attest(evidence(message, bearer, chain));
          switch (result) {
            case AttestationResult.Verified verified -> identity.set(verified.identity());
            case AttestationResult.Rejected r -> {
              rejected = true;
              call.close(reject(call, r, requestId), new Metadata());
              return;
            }
          }
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!rejected) {
          super.onHalfClose();
        }
      }
    };
  }

  /** Request evidence first, then a bearer JWT-SVID, then the TLS client certificate. */
  private static Evidence evidence(Object message, String bearer, List<X509Certificate> chain) {
    if (message instanceof Message m) {
      FieldDescriptor field = m.getDescriptorForType().findFieldByName("evidence");
      if (field != null && field.getType() == FieldDescriptor.Type.MESSAGE && m.hasField(field)) {
        dev.minter.proto.v1.Evidence e = (dev.minter.proto.v1.Evidence) m.getField(field);
        if (!e.getKind().isEmpty() || !e.getPayload().isEmpty()) {
          return new Evidence(e.getKind(), e.getPayload().toByteArray(), chain);
        }
      }
    }
    if (bearer != null) {
      return new Evidence(JWT_SVID, bearer.getBytes(StandardCharsets.US_ASCII), chain);
    }
    return Evidence.tlsClientChain(chain);
  }

  private Status reject(ServerCall<?, ?> call, AttestationResult.Rejected rejected, String requestId) {
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    String method = call.getMethodDescriptor().getFullMethodName();
    log.info("{} rejected caller {} on {} ({}): {}", requestId, peer, method, rejected.kind(), rejected.reason());
    try {
      audit.append(
          AuditEvent.of("attest.reject")
              .attestor(rejected.kind())
              .reason(rejected.reason())
              .decision("deny")
              .put("failure", rejected.failure().name().toLowerCase())
              .put("method", method)
              .put("peer", String.valueOf(peer))
              .requestId(requestId)
              .build());
    } catch (RuntimeException e) {
      log.error("{} could not audit a rejected attestation: {}", requestId, e.toString());
      return Status.UNAVAILABLE.withDescription("audit log unavailable (request " + requestId + ")");
    }
    try {
      rejections.rejected(rejected, peer, requestId);
    } catch (RuntimeException e) {
      log.warn("{} rejection listener failed: {}", requestId, e.toString()); // the rejection itself stands
    }
    Status status =
        rejected.failure() == AttestationResult.Failure.MALFORMED ? Status.INVALID_ARGUMENT : Status.UNAUTHENTICATED;
    return status.withDescription("attestation failed: " + rejected.reason() + " (request " + requestId + ")");
  }

  private static String bearer(Metadata headers) {
    String value = headers.get(AUTHORIZATION);
    if (value == null || value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return value.substring(7).strip();
  }

  private static List<X509Certificate> peerChain(ServerCall<?, ?> call) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return List.of();
    }
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : session.getPeerCertificates()) {
        if (c instanceof X509Certificate x) {
          chain.add(x);
        }
      }
      return chain;
    } catch (SSLPeerUnverifiedException e) {
      return List.of(); // no client certificate
    }
  }
}
