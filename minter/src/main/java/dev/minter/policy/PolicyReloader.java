package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy in force, swapped atomically when its file changes. Callers take the engine once per decision with
 * {@link #get()}; a reload never changes an engine a caller already holds, so every decision is made under exactly
 * one policy, old or new.
 *
 * <p>Why an invalid file keeps the old policy: the alternatives are serving no policy (every agent locked out by a
 * typo) or part of one (weaker than what was reviewed). The file is loaded and validated in full with the same
 * checks as at start-up; only a policy that passes them all replaces the current one. Every attempt that sees new
 * content is audited ({@code policy.reload}, outcome {@code ok} or {@code rejected}, with the SHA-256 of the file
 * and of the policy it replaced or left in force), and the audit record is written before the swap: if it cannot be
 * written the old policy stays and the change is retried later. Content already seen (same SHA-256) is neither
 * reloaded nor audited again, so a broken file produces one record, not one per poll.
 */
public final class PolicyReloader implements Supplier<PolicyEngine>, AutoCloseable {
  /** Audit event written once at start-up with the SHA-256 of the policy loaded. */
  public static final String LOAD_EVENT = "policy.load";
  /** Audit event written for every changed policy file seen, accepted or rejected. */
  public static final String RELOAD_EVENT = "policy.reload";
  private static final int MAX_REASON = 2000;
  private static final String MANUAL = "manual";
  /** How long a changed file must stay the same before a watcher-triggered reload reads it. */
  private static final Duration SETTLE = Duration.ofMillis(100);
  private static final Logger log = LoggerFactory.getLogger(PolicyReloader.class);

  /** What one reload attempt did. */
  public sealed interface Outcome {
    /** The file holds the policy in force, or content already rejected: nothing done, nothing audited. */
    record Unchanged(String sha256) implements Outcome {}

    /** The new policy is in force. */
    record Reloaded(String sha256, String previousSha256) implements Outcome {}

    /** The file cannot be used; the policy with {@code keptSha256} stays in force. */
    record Rejected(String sha256, String keptSha256, String reason) implements Outcome {}
  }

  private final Path file;
  private final Consumer<? super Policy> validator;
  private final AuditLog audit;
  private final AtomicReference<Policy> current;
  private final Object reloadLock = new Object();
  private String lastSeen; // guarded by reloadLock: the content last examined, accepted or not
  private PolicyWatcher watcher; // guarded by reloadLock

  private PolicyReloader(Path file, Consumer<? super Policy> validator, AuditLog audit, Policy initial) {
    this.file = file;
    this.validator = validator;
    this.audit = audit;
    this.current = new AtomicReference<>(initial);
    this.lastSeen = initial.sha256();
  }

  /**
   * Loads {@code file}, checks it with {@code validator} (which throws to refuse, e.g. a role kind no engine mints)
   * and audits {@code policy.load}.
   *
   * @throws PolicyException or the validator's exception when the file cannot be used: start-up must fail then
   */
  public static PolicyReloader load(Path file, Consumer<? super Policy> validator, AuditLog audit) {
    requireNonNull(file, "file");
    requireNonNull(validator, "validator");
    requireNonNull(audit, "audit");
    Policy policy = PolicyFile.load(file);
    validator.accept(policy);
    audit.append(AuditEvent.of(LOAD_EVENT).put("source", file.toString()).put("sha256", policy.sha256()).build());
    log.info("policy loaded from {} (sha256 {})", file, policy.sha256());
    return new PolicyReloader(file, validator, audit, policy);
  }

  /** The engine in force now; hold it for the whole of one decision. */
  @Override
  public PolicyEngine get() {
    return current.get();
  }

  /** The policy in force now. */
  public Policy current() {
    return current.get();
  }

  /** Re-reads the file now (tests, an operator's explicit reload). */
  public Outcome reloadNow() {
    return reload(MANUAL);
  }

  /**
   * Starts following the file: change events on its folder (editors that rename a temp file into place, Kubernetes
   * ConfigMap symlink swaps) plus a re-hash every {@code interval} for file systems that send no events.
   */
  public void watch(Duration interval) throws IOException {
    synchronized (reloadLock) {
      if (watcher != null) {
        throw new IllegalStateException("already watching " + file);
      }
      watcher = new PolicyWatcher(file, interval, this::reload);
    }
  }

  /** Stops the watcher; the policy in force stays readable. */
  @Override
  public void close() {
    PolicyWatcher w;
    synchronized (reloadLock) {
      w = watcher;
    }
    if (w != null) {
      w.close();
    }
  }

  /** Whether a watcher thread is running (tests). */
  boolean isWatching() {
    synchronized (reloadLock) {
      return watcher != null && watcher.isAlive();
    }
  }

  Outcome reload(String trigger) {
    synchronized (reloadLock) {
      Policy old = current.get();
      String sha;
      try {
        sha = sha256(Files.readAllBytes(file));
      } catch (IOException e) {
        String seen = "unreadable:" + e.getClass().getName();
        if (seen.equals(lastSeen)) {
          return new Outcome.Unchanged(old.sha256());
        }
        return reject(old, "", "%s: cannot read policy file (%s)".formatted(file, e), trigger, seen);
      }
      if (sha.equals(lastSeen) || sha.equals(old.sha256())) {
        lastSeen = sha;
        return new Outcome.Unchanged(old.sha256());
      }
      if (!trigger.equals(MANUAL) && !settled(sha)) {
        return new Outcome.Unchanged(old.sha256()); // still being written: the next check sees the final content
      }
      Policy fresh;
      try {
        fresh = PolicyFile.load(file);
        validator.accept(fresh);
      } catch (RuntimeException e) {
        return reject(old, sha, message(e), trigger, sha);
      }
      // The file may have changed again between hashing and loading: the loaded policy's own hash is the truth,
      // and a later check sees the newer content.
      String freshSha = fresh.sha256().isEmpty() ? sha : fresh.sha256();
      if (freshSha.equals(old.sha256())) {
        lastSeen = freshSha;
        return new Outcome.Unchanged(old.sha256());
      }
      audit.append(record(trigger, freshSha, old).outcome("ok").build());
      current.set(fresh);
      lastSeen = freshSha;
      log.info("policy reloaded from {} ({}): sha256 {} replaces {}", file, trigger, freshSha, old.sha256());
      return new Outcome.Reloaded(freshSha, old.sha256());
    }
  }

  /**
   * Whether the file still hashes to {@code sha} after {@link #SETTLE}. A writer that truncates and rewrites in
   * place (shell redirection, {@code kubectl cp}) is seen half-way by a poll; waiting for the content to hold still
   * avoids rejecting, and auditing, a file nobody meant to deploy.
   */
  private boolean settled(String sha) {
    try {
      Thread.sleep(SETTLE);
      return sha.equals(sha256(Files.readAllBytes(file)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private Outcome reject(Policy old, String sha, String reason, String trigger, String seen) {
    String bounded = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "…" : reason;
    audit.append(record(trigger, sha, old).outcome("rejected").reason(bounded).build());
    lastSeen = seen;
    log.error("policy file {} changed but was rejected; policy {} stays in force: {}", file, old.sha256(), bounded);
    return new Outcome.Rejected(sha, old.sha256(), bounded);
  }

  private AuditEvent.Builder record(String trigger, String sha, Policy old) {
    return AuditEvent.of(RELOAD_EVENT)
        .put("source", file.toString())
        .put("trigger", trigger)
        .put("sha256", sha)
        .put("previous_sha256", old.sha256());
  }

  private static String message(RuntimeException e) {
    return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }
}
