package dev.minter.attest;

import java.util.List;

/** Every attestation kind Minter ships: one line per kind. */
public final class BuiltInAttestors {
  private BuiltInAttestors() {}

  public static final List<AttestorFactory> ALL =
      List.of(
          new AttestorFactory(X509SvidAttestor.KIND, (config, env) -> new X509SvidAttestor(env.x509Bundles(), env.clock())),
          new AttestorFactory(JwtSvidAttestor.KIND, JwtSvidAttestor::create),
          new AttestorFactory(AwsIidAttestor.KIND, (config, env) -> AwsIidAttestor.create(config, env, env.pins())),
          new AttestorFactory(AwsIamAttestor.KIND, AwsIamAttestor::fromConfig),
          new AttestorFactory(GcpIitAttestor.KIND, GcpIitAttestor::create),
          new AttestorFactory(AzureImdsAttestor.KIND, AzureImdsAttestor::fromConfig),
          new AttestorFactory(K8sSatAttestor.KIND, K8sSatAttestor::create),
          new AttestorFactory(OidcAttestor.KIND, OidcAttestor::create));
}
