package dev.minter.e2e;

import dev.minter.testing.RealStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/** Logs in to the real PostgreSQL as minted users, and checks pg_roles as the admin. */
final class Postgres {
  private Postgres() {}

  /** Logs in as {@code user} and counts the rows of {@code reports}; throws if the login is refused. */
  static long countReportsAs(String user, String password) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", "10");
    try (Connection c = DriverManager.getConnection(RealStack.get().pgJdbcUrl("analytics"), props);
        ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM reports")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static boolean roleExists(String role) throws SQLException {
    RealStack stack = RealStack.get();
    try (Connection c =
            DriverManager.getConnection(stack.pgJdbcUrl("analytics"), stack.pgAdminUser(), stack.pgAdminPassword());
        PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** How many roles Vault's database engine has created and not yet dropped (they start with {@code v-}). */
  static long dynamicRoles() throws SQLException {
    RealStack stack = RealStack.get();
    try (Connection c =
            DriverManager.getConnection(stack.pgJdbcUrl("analytics"), stack.pgAdminUser(), stack.pgAdminPassword());
        ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'v-%'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
