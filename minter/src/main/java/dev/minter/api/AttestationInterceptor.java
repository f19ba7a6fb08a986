package dev.minter.api;

import dev.minter.attest.AttestationResult;
import dev.minter.attest.Attestor;
import dev.minter.attest.Evidence;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.task.RequestIds;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attests the caller of every call (authentication is not a session) and puts the verified identity in the gRPC
 * {@link Context}. A rejected caller gets UNAUTHENTICATED with the reason and a request id, and an
 * {@code attest.reject} audit record. Only the health and reflection services are open without attestation.
 */
public final class AttestationInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AttestationInterceptor.class);
  private static final Set<String> OPEN_SERVICES =
      Set.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

  private final Attestor x509;
  private final AuditLog audit;

  public AttestationInterceptor(Attestor x509, AuditLog audit) {
    this.x509 = x509;
    this.audit = audit;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (OPEN_SERVICES.contains(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    String requestId = RequestIds.next();
    AttestationResult result = x509.attest(Evidence.tlsClientChain(peerChain(call)));
    return switch (result) {
      case AttestationResult.Verified verified -> {
        Context context =
            Context.current().withValues(Caller.IDENTITY, verified.identity(), Caller.REQUEST_ID, requestId);
        yield Contexts.interceptCall(context, call, headers, next);
      }
      case AttestationResult.Rejected rejected -> {
        Status status = reject(call, rejected, requestId);
        call.close(status, new Metadata());
        yield new ServerCall.Listener<>() {};
      }
    };
  }

  private Status reject(ServerCall<?, ?> call, AttestationResult.Rejected rejected, String requestId) {
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    log.info("{} rejected caller {} on {}: {}", requestId, peer, call.getMethodDescriptor().getFullMethodName(), rejected.reason());
    try {
      audit.append(
          AuditEvent.of("attest.reject")
              .attestor(rejected.kind())
              .reason(rejected.reason())
              .decision("deny")
              .put("method", call.getMethodDescriptor().getFullMethodName())
              .put("peer", String.valueOf(peer))
              .requestId(requestId)
              .build());
    } catch (RuntimeException e) {
      log.error("{} could not audit a rejected attestation: {}", requestId, e.toString());
      return Status.UNAVAILABLE.withDescription("audit log unavailable (request " + requestId + ")");
    }
    return Status.UNAUTHENTICATED.withDescription(
        "attestation failed: " + rejected.reason() + " (request " + requestId + ")");
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
