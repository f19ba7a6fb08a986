package dev.minter;

/** Entry point of the single Minter executable. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println("minter");
  }
}
