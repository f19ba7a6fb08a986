package dev.minter.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Opens mTLS channels to a Minter server with an X.509-SVID (PEM files) as the client certificate. */
public final class MinterChannels {
  private MinterChannels() {}

  /**
   * @param target host:port of the Minter server
   * @param cert the caller's SVID certificate chain (PEM)
   * @param key its private key (PEM, PKCS#8)
   * @param ca the CA bundle that signed the server's certificate (PEM)
   */
  public static ManagedChannel mtls(String target, Path cert, Path key, Path ca) {
    try {
      ChannelCredentials credentials =
          TlsChannelCredentials.newBuilder()
              .keyManager(cert.toFile(), key.toFile())
              .trustManager(ca.toFile())
              .build();
      return Grpc.newChannelBuilder(target, credentials).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS material (" + cert + ", " + key + ", " + ca + ")", e);
    }
  }
}
