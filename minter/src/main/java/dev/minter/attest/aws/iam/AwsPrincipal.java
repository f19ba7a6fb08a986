package dev.minter.attest.aws.iam;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An AWS caller as STS described it, parsed from its ARN. Only the two kinds an agent should attest as are accepted:
 * an assumed-role session ({@code arn:aws:sts::ACCT:assumed-role/ROLE/SESSION}) and an IAM user
 * ({@code arn:aws:iam::ACCT:user[/path]/NAME}). The root user and federated users are refused: neither names a
 * workload.
 *
 * @param type role session or user
 * @param partition e.g. {@code aws}, {@code aws-cn}, {@code aws-us-gov}
 * @param account the 12-digit account ID (equal to STS's {@code Account})
 * @param name the role name or user name (unique within the account, whatever its path)
 * @param session the role session name; empty for users
 * @param arn the caller ARN as STS returned it
 * @param userId STS's {@code UserId}
 */
public record AwsPrincipal(
    Type type, String partition, String account, String name, Optional<String> session, String arn, String userId) {
  private static final int MAX_ARN = 2048;
  // IAM name characters: [\w+=,.@-]; role names <= 64, session names 2..64, user names <= 64.
  private static final Pattern ROLE_SESSION = Pattern.compile(
      "arn:(aws(?:-[a-z]+){0,3}):sts::([0-9]{12}):assumed-role/([\\w+=,.@-]{1,64})/([\\w+=,.@-]{2,64})");
  private static final Pattern USER = Pattern.compile(
      "arn:(aws(?:-[a-z]+){0,3}):iam::([0-9]{12}):user/(?:[\\x21-\\x7e&&[^/]]{1,512}/){0,16}([\\w+=,.@-]{1,64})");
  private static final Pattern USER_ID = Pattern.compile("[\\x21-\\x7e]{1,256}");

  /** What sort of principal signed the request. */
  public enum Type { ROLE_SESSION, USER }

  public AwsPrincipal {
    requireNonNull(type, "type");
    requireNonNull(partition, "partition");
    requireNonNull(account, "account");
    requireNonNull(name, "name");
    requireNonNull(session, "session");
    requireNonNull(arn, "arn");
    requireNonNull(userId, "userId");
  }

  /** Parses STS's answer; an ARN of another kind, or one that disagrees with {@code Account}, is refused. */
  public static AwsPrincipal of(StsResponse.CallerIdentity caller) throws IamRejection {
    String arn = caller.arn();
    if (arn.length() > MAX_ARN) {
      throw IamRejection.untrusted("STS returned an ARN of " + arn.length() + " characters");
    }
    if (!USER_ID.matcher(caller.userId()).matches()) {
      throw IamRejection.untrusted("STS returned an unusable UserId " + IamRejection.quote(caller.userId()));
    }
    Matcher role = ROLE_SESSION.matcher(arn);
    Matcher user = USER.matcher(arn);
    AwsPrincipal principal;
    if (role.matches()) {
      principal = new AwsPrincipal(Type.ROLE_SESSION, role.group(1), role.group(2), role.group(3),
          Optional.of(role.group(4)), arn, caller.userId());
    } else if (user.matches()) {
      principal = new AwsPrincipal(Type.USER, user.group(1), user.group(2), user.group(3), Optional.empty(), arn,
          caller.userId());
    } else {
      throw IamRejection.untrusted("caller " + IamRejection.quote(arn) + " is neither an assumed-role session nor an "
          + "IAM user (root and federated users cannot attest)");
    }
    if (!principal.account().equals(caller.account())) {
      throw IamRejection.untrusted("STS returned Account " + IamRejection.quote(caller.account())
          + " but the ARN's account is " + principal.account());
    }
    return principal;
  }

  /**
   * The IAM ARN of the principal: the role ({@code arn:aws:iam::ACCT:role/ROLE}; STS does not say the role's path)
   * for a session, the user ARN for a user. The {@code role_arns} globs are matched against this and {@link #arn()}.
   */
  public String principalArn() {
    return type == Type.ROLE_SESSION ? "arn:" + partition + ":iam::" + account + ":role/" + name : arn;
  }
}
