package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.aws.iam.AwsIamConfig;
import dev.minter.attest.aws.iam.AwsPrincipal;
import dev.minter.attest.aws.iam.IamRejection;
import dev.minter.attest.aws.iam.SignedStsRequest;
import dev.minter.attest.aws.iam.StsClient;
import dev.minter.attest.aws.iam.StsRequestChecks;
import dev.minter.attest.aws.iam.StsResponse;
import dev.minter.config.ConfigLoader;
import dev.minter.policy.Glob;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AWS IAM attestation, the replay-resistant AWS path (Vault's aws auth {@code iam} method): the agent signs an
 * {@code sts:GetCallerIdentity} request with its own AWS credentials and sends Minter the request instead of sending
 * it to AWS. Minter checks the request locally, forwards it unchanged to STS, and believes STS's answer about who
 * signed it. Minter never sees the agent's secret key, and STS — not Minter — verifies the SigV4 signature.
 *
 * <p>Order matters, and every step exists for a reason:
 *
 * <ol>
 *   <li>decode the payload strictly ({@link SignedStsRequest});
 *   <li>check locally <em>before</em> any network call ({@link StsRequestChecks}): exactly GetCallerIdentity at the
 *       configured endpoint, signature covering host, date and this server's ID, dated within {@code max_age} — so a
 *       request signed for another server, or captured and replayed later, is worthless;
 *   <li>record the signature in the shared {@link ReplayGuard} until the request would be refused as stale anyway,
 *       so the same signed request cannot be used twice here either (STS itself would happily answer it again).
 *       SigV4 is deterministic: two identical requests signed in the same second have the same signature, so agents
 *       include a unique signed header (the AWS SDKs' {@code amz-sdk-invocation-id}) or get the second refused;
 *   <li>forward it to STS ({@link StsClient}) and read the answer with a hardened XML parser ({@link StsResponse});
 *   <li>accept only assumed-role sessions and IAM users ({@link AwsPrincipal}) of allowed accounts and, when
 *       configured, roles matching {@code role_arns}.
 * </ol>
 *
 * <p>Identity: {@code spiffe://<identity domain>/aws/<account>/role/<role>} for role sessions,
 * {@code …/aws/<account>/user/<name>} for IAM users.
 */
public final class AwsIamAttestor implements Attestor {
  public static final String KIND = "aws_iam";

  private final AwsIamConfig config;
  private final StsRequestChecks checks;
  private final StsClient sts;
  private final ReplayGuard replay;
  private final Clock clock;
  private final String identityDomain;
  private final Set<String> accounts;
  private final List<Glob> roleGlobs;

  public AwsIamAttestor(AwsIamConfig config, AttestorEnvironment env) {
    this.config = requireNonNull(config, "config");
    this.checks = new StsRequestChecks(config, env.skew());
    this.sts = new StsClient(env.http(), config.endpointUri(), config.timeout());
    this.replay = env.replay();
    this.clock = env.clock();
    this.identityDomain = env.identityDomain();
    this.accounts = Set.copyOf(config.accounts());
    this.roleGlobs = config.roleGlobs();
    // Fail at start-up, not on the first call, if the identity domain cannot hold our identities.
    IdentityUris.of(identityDomain, "aws");
  }

  /** Builds the attestor from its {@code attestors.aws_iam} section. */
  public static AwsIamAttestor fromConfig(JsonNode node, AttestorEnvironment env) {
    return new AwsIamAttestor(ConfigLoader.convert(node, AwsIamConfig.class, env.baseDir()), env);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public AttestationResult attest(Evidence evidence) {
    requireNonNull(evidence, "evidence");
    if (!KIND.equals(evidence.kind())) {
      return Rejected.malformed(KIND, "evidence kind " + Reasons.quote(evidence.kind()) + " is not " + KIND);
    }
    try {
      SignedStsRequest request = SignedStsRequest.parse(evidence.payload());
      StsRequestChecks.Checked checked = checks.check(request, clock.instant());
      if (!replay.firstUse(KIND, "sigv4:" + checked.authorization().signature(), checked.acceptedUntil())) {
        return Rejected.replayed(KIND, "this signed GetCallerIdentity request was already used (signature "
            + checked.authorization().signature().substring(0, 16) + "…): sign a fresh one for every call, with a "
            + "unique signed header such as amz-sdk-invocation-id");
      }
      StsClient.Answer answer = sts.send(request.body(), checked.headers());
      AwsPrincipal principal = AwsPrincipal.of(StsResponse.callerIdentity(answer));
      return allowed(principal);
    } catch (IamRejection e) {
      return new Rejected(KIND, e.getMessage(), e.failure());
    }
  }

  private AttestationResult allowed(AwsPrincipal principal) {
    if (!accounts.contains(principal.account())) {
      return new Rejected(KIND, "AWS account " + principal.account() + " of " + Reasons.quote(principal.arn())
          + " is not in accounts");
    }
    if (!roleGlobs.isEmpty()
        && roleGlobs.stream().noneMatch(g -> g.matches(principal.principalArn()) || g.matches(principal.arn()))) {
      return new Rejected(KIND, "principal " + Reasons.quote(principal.principalArn()) + " (caller "
          + Reasons.quote(principal.arn()) + ") matches none of role_arns");
    }
    return new Verified(new WorkloadIdentity(identity(principal), KIND, claims(principal)));
  }

  private String identity(AwsPrincipal principal) {
    String type = principal.type() == AwsPrincipal.Type.ROLE_SESSION ? "role" : "user";
    return IdentityUris.of(identityDomain, "aws", principal.account(), type, principal.name());
  }

  private static Map<String, String> claims(AwsPrincipal principal) {
    Map<String, String> claims = new LinkedHashMap<>();
    claims.put("aws.account", principal.account());
    claims.put("aws.arn", principal.arn());
    claims.put("aws.user_id", principal.userId());
    if (principal.type() == AwsPrincipal.Type.ROLE_SESSION) {
      claims.put("aws.role", principal.name());
      claims.put("aws.session", principal.session().orElseThrow());
    } else {
      claims.put("aws.user", principal.name());
    }
    return claims;
  }

  @Override
  public String toString() {
    return "AwsIamAttestor[endpoint=" + config.stsEndpoint() + ", serverId=" + config.serverId() + "]";
  }
}
