package dev.minter;

import dev.minter.task.AgentLifecycle;
import dev.minter.task.TaskRevoker;
import dev.minter.vault.VaultGateway;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Minter's background duties, every interval: record tasks Vault's TTL has ended (and confirm their credentials
 * gone), retry queued revocations, suspend agents idle longer than {@code agents.auto_suspend_after} (if set), and
 * renew Minter's own Vault token before it runs out.
 */
final class Maintenance implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Maintenance.class);
  private static final Duration RENEW_RETRY = Duration.ofSeconds(30);

  private final TaskRevoker revoker;
  private final AgentLifecycle agents;
  private final Duration autoSuspendAfter;
  private final VaultGateway vault;
  private final Duration interval;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private Instant nextRenewal = Instant.MIN;

  /** @param autoSuspendAfter suspend agents idle this long; null to never do so */
  Maintenance(
      TaskRevoker revoker,
      AgentLifecycle agents,
      Duration autoSuspendAfter,
      VaultGateway vault,
      Duration interval,
      Clock clock) {
    this.revoker = revoker;
    this.agents = agents;
    this.autoSuspendAfter = autoSuspendAfter;
    this.vault = vault;
    this.interval = interval;
    this.clock = clock;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("minter-maintenance").daemon().factory());
  }

  void start() {
    scheduler.scheduleWithFixedDelay(this::runOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One round; never throws (a failing duty is logged and tried again next round). */
  synchronized void runOnce() {
    try {
      int expired = revoker.expireDue();
      if (expired > 0) {
        log.info("recorded {} expired task(s)", expired);
      }
    } catch (RuntimeException e) {
      log.warn("expiry sweep failed, will retry: {}", e.toString());
    }
    try {
      int confirmed = revoker.retryQueued();
      if (confirmed > 0) {
        log.info("confirmed {} queued revocation(s)", confirmed);
      }
    } catch (RuntimeException e) {
      log.warn("revocation retry failed, will retry: {}", e.toString());
    }
    suspendIdleAgents();
    renewIfDue();
  }

  private void suspendIdleAgents() {
    if (autoSuspendAfter == null) {
      return;
    }
    try {
      int suspended = agents.suspendIdle(autoSuspendAfter);
      if (suspended > 0) {
        log.info("suspended {} agent(s) idle for more than {}", suspended, autoSuspendAfter);
      }
    } catch (RuntimeException e) {
      log.warn("idle-agent sweep failed, will retry: {}", e.toString());
    }
  }

  private void renewIfDue() {
    Instant now = clock.instant();
    if (now.isBefore(nextRenewal)) {
      return;
    }
    try {
      Duration ttl = vault.renewSelf();
      // Renew at half the TTL so one missed round never lets the token lapse.
      nextRenewal = now.plus(ttl.dividedBy(2).isZero() ? RENEW_RETRY : ttl.dividedBy(2));
      log.debug("renewed Minter's Vault token, ttl {}", ttl);
    } catch (RuntimeException e) {
      nextRenewal = now.plus(RENEW_RETRY);
      log.warn("could not renew Minter's Vault token, retrying in {}: {}", RENEW_RETRY, e.getMessage());
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
