package dev.minter.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS client contexts that trust exactly the CAs in a PEM bundle (e.g. Vault's CA). */
public final class TrustStores {
  private TrustStores() {}

  /** An {@link SSLContext} whose only trusted roots are the certificates in {@code caPem}. */
  public static SSLContext trusting(Path caPem) throws IOException, GeneralSecurityException {
    List<X509Certificate> roots = Pem.readCertificates(caPem);
    if (roots.isEmpty()) {
      throw new PemException("no certificate in " + caPem);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    for (int i = 0; i < roots.size(); i++) {
      store.setCertificateEntry("ca-" + i, roots.get(i));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
