package dev.minter.attest.bundle;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.minter.tls.CertifiedKey;
import dev.minter.tls.DevCa;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A real HTTPS server on 127.0.0.1 whose answers and certificate tests change while it runs; counts requests. */
final class TestHttpsServer implements AutoCloseable {
  /** One answer: status, body, extra headers, and a delay before answering. */
  record Reply(int status, byte[] body, Map<String, String> headers, long delayMillis) {
    static Reply ok(String body) {
      return new Reply(200, body.getBytes(StandardCharsets.UTF_8), Map.of(), 0);
    }

    static Reply status(int status) {
      return new Reply(status, new byte[0], Map.of(), 0);
    }

    Reply withHeader(String name, String value) {
      return new Reply(status, body, Map.of(name, value), delayMillis);
    }

    Reply delayed(long millis) {
      return new Reply(status, body, headers, millis);
    }
  }

  private final HttpsServer server;
  private final Map<String, Supplier<Reply>> replies = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final AtomicReference<SSLContext> tls = new AtomicReference<>();

  TestHttpsServer(CertifiedKey serverKey, X509Certificate... chainRest) throws IOException {
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    useCertificate(serverKey, chainRest);
    // The configurator reads the current context for each connection, so tests can swap the server's SVID.
    server.setHttpsConfigurator(new HttpsConfigurator(delegatingContext()));
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-https");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      Supplier<Reply> supplier = replies.get(path);
      Reply reply = supplier == null ? Reply.status(404) : supplier.get();
      try {
        Thread.sleep(reply.delayMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      // A fresh connection per request, so a swapped server certificate is seen by the next fetch.
      exchange.getResponseHeaders().add("Connection", "close");
      exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(reply.body());
      }
    });
    server.start();
  }

  void answer(String path, Reply reply) {
    replies.put(path, () -> reply);
  }

  int hits(String path) {
    AtomicInteger n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  URI uri(String path) {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  /** Serves {@code key}'s certificate (plus {@code chainRest}) on new connections from now on. */
  void useCertificate(CertifiedKey key, X509Certificate... chainRest) {
    try {
      X509Certificate[] chain = new X509Certificate[chainRest.length + 1];
      chain[0] = key.certificate();
      System.arraycopy(chainRest, 0, chain, 1, chainRest.length);
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", key.privateKey(), "pw".toCharArray(), chain);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, "pw".toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      tls.set(ctx);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An HTTP client trusting only {@code ca} (the Web PKI of these tests). */
  static HttpClient clientTrusting(DevCa ca) {
    try {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return HttpClient.newBuilder().sslContext(ctx).build();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private SSLContext delegatingContext() {
    return new SSLContext(new javax.net.ssl.SSLContextSpi() {
      @Override
      protected void engineInit(javax.net.ssl.KeyManager[] km, javax.net.ssl.TrustManager[] tm,
          java.security.SecureRandom sr) {}

      @Override
      protected javax.net.ssl.SSLSocketFactory engineGetSocketFactory() {
        return tls.get().getSocketFactory();
      }

      @Override
      protected javax.net.ssl.SSLServerSocketFactory engineGetServerSocketFactory() {
        return tls.get().getServerSocketFactory();
      }

      @Override
      protected javax.net.ssl.SSLEngine engineCreateSSLEngine() {
        return tls.get().createSSLEngine();
      }

      @Override
      protected javax.net.ssl.SSLEngine engineCreateSSLEngine(String host, int port) {
        return tls.get().createSSLEngine(host, port);
      }

      @Override
      protected javax.net.ssl.SSLSessionContext engineGetServerSessionContext() {
        return tls.get().getServerSessionContext();
      }

      @Override
      protected javax.net.ssl.SSLSessionContext engineGetClientSessionContext() {
        return tls.get().getClientSessionContext();
      }

      @Override
      protected javax.net.ssl.SSLParameters engineGetDefaultSSLParameters() {
        return tls.get().getDefaultSSLParameters();
      }

      @Override
      protected javax.net.ssl.SSLParameters engineGetSupportedSSLParameters() {
        return tls.get().getSupportedSSLParameters();
      }
    }, null, "TLS") {};
  }
}
