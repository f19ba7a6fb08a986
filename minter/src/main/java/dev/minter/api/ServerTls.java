package dev.minter.api;

import dev.minter.tls.Pem;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The listener's TLS: the server's certificate, and client certificates requested (optional at the TLS layer).
 *
 * <p>Why the handshake accepts any client chain: the handshake still proves the client holds the private key of the
 * certificate it presents (CertificateVerify), but the SPIFFE checks — chain to the trust domain's bundle, one
 * spiffe:// URI SAN, key usage, validity — run per call in {@link AttestationInterceptor} through the X.509-SVID
 * attestor. That way a bad SVID is an UNAUTHENTICATED status with a reason and an {@code attest.reject} audit
 * record, instead of a bare handshake failure nobody can diagnose or audit, and the same rules apply on every call.
 * No call reaches a service without that verification.
 */
public final class ServerTls {
  private ServerTls() {}

  public static ServerCredentials credentials(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
    List<X509Certificate> chain = Pem.readCertificates(certFile);
    PrivateKey key = Pem.readPrivateKey(keyFile);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = new char[0];
    store.setKeyEntry("minter", key, password, chain.toArray(X509Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password);
    return TlsServerCredentials.newBuilder()
        .keyManager(kmf.getKeyManagers())
        .trustManager(new DeferredClientTrustManager())
        .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
        .build();
  }

  /** Defers client-chain verification to the attestor; see the class comment for why this is safe. */
  private static final class DeferredClientTrustManager implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new CertificateException("empty client certificate chain");
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("this trust manager only serves the server side");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
