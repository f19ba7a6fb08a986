package dev.minter.attest;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link TofuStore} that forgets on restart: for tests and offline checks, never for the server. */
public final class InMemoryTofuStore implements TofuStore {
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  @Override
  public boolean firstAttestation(String kind, String subject) {
    return seen.add(kind + "\n" + subject);
  }
}
