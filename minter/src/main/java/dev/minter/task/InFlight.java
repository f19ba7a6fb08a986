package dev.minter.task;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Calls that passed a quota check but whose ledger row is not written yet, so a concurrent check counts them too.
 * Not thread-safe: {@link QuotaGuard} uses it under its lock.
 *
 * <p>A slot is released when the guard hears the call finished ({@code begun}/{@code minted}). A call that fails
 * after the check never says so, so each slot also lapses after {@code timeout}: until then a failed call still
 * counts, which errs on the side of refusing, never of letting more through.
 */
final class InFlight {
  private record Slot(String agent, String owner, Instant lapsesAt) {}

  private final Duration timeout;
  private final List<Slot> slots = new ArrayList<>();

  InFlight(Duration timeout) {
    this.timeout = timeout;
  }

  /** Slots of {@code agent} still in flight at {@code now}. */
  int ofAgent(String agent, Instant now) {
    lapse(now);
    return (int) slots.stream().filter(s -> s.agent().equals(agent)).count();
  }

  /** Slots of any agent of {@code owner} still in flight at {@code now}. */
  int ofOwner(String owner, Instant now) {
    lapse(now);
    return (int) slots.stream().filter(s -> !owner.isEmpty() && s.owner().equals(owner)).count();
  }

  /** A call of {@code agent} (owner {@code owner}, "" if none) passed its check at {@code now}. */
  void add(String agent, String owner, Instant now) {
    slots.add(new Slot(agent, owner, now.plus(timeout)));
  }

  /** The oldest call of {@code agent} finished: its row is in the ledger now, counted from there. */
  void release(String agent) {
    for (Iterator<Slot> it = slots.iterator(); it.hasNext(); ) {
      if (it.next().agent().equals(agent)) {
        it.remove();
        return;
      }
    }
  }

  private void lapse(Instant now) {
    slots.removeIf(s -> !now.isBefore(s.lapsesAt()));
  }
}
