package dev.minter.testing;

import dev.minter.vault.Credential;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/** Plain JDBC against the real stack's PostgreSQL, to prove what a minted database user can (still) do. */
public final class Postgres {
  private final RealStack stack;

  public Postgres(RealStack stack) {
    this.stack = stack;
  }

  /** Logs in as the minted user; throws {@link SQLException} when PostgreSQL refuses the login. */
  public Connection login(Credential.Database credential) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", credential.username());
    props.setProperty("password", credential.password().reveal());
    props.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(stack.pgJdbcUrl("analytics"), props);
  }

  /** Logs in as the minted user and counts the reports it can see. */
  public long countReports(Credential.Database credential) throws SQLException {
    try (Connection connection = login(credential)) {
      return countReports(connection);
    }
  }

  public static long countReports(Connection connection) throws SQLException {
    try (ResultSet rs = connection.createStatement().executeQuery("SELECT count(*) FROM public.reports")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Whether a role of that name exists at all (as the superuser). */
  public boolean roleExists(String name) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(
                stack.pgJdbcUrl("analytics"), stack.pgSuperuser(), stack.pgSuperuserPassword());
        PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      query.setString(1, name);
      try (ResultSet rs = query.executeQuery()) {
        return rs.next();
      }
    }
  }
}
