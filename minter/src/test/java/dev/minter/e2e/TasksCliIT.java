package dev.minter.e2e;

import static dev.minter.e2e.Admins.assertRefused;
import static dev.minter.e2e.Admins.assertWorks;
import static dev.minter.e2e.MinterFixture.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.minter.Main;
import dev.minter.e2e.RevokeBySelectorIT.Live;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minter tasks ls|show} and {@code minter revoke} by selector, run in-process against a real server. */
class TasksCliIT {
  static final String AGENTS = "spiffe://minter.local/agents/";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    minter = new MinterFixture(dir).start();
    minter.svid("admin", ADMIN);
    minter.svid("cli-agent", AGENTS + "cli-agent");
  }

  @AfterAll
  static void stop() {
    minter.close();
  }

  @Test
  void tasksLs_printsTableJsonAndYaml_filteredByAgent() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENTS + "ls-bot"))) {
      String t1 = agent.begin("report:ls", 300, "analytics-ro").getTaskId();
      String t2 = agent.begin("demo", 300, "analytics-ro").getTaskId();

      Run json = run("tasks", "ls", "--agent", AGENTS + "ls-*", "-o", "json");
      Run yaml = run("tasks", "ls", "--agent", AGENTS + "ls-bot", "--purpose", "report:*", "-o", "yaml");
      Run table = run("tasks", "ls", "--agent", AGENTS + "ls-bot", "--state", "open", "-o", "table");

      assertThat(json.code).isZero();
      JsonNode tasks = JSON.readTree(json.out).get("tasks");
      assertThat(tasks).extracting(t -> t.get("taskId").asText()).containsExactly(t1, t2);
      assertThat(tasks.get(0).get("state").asText()).isEqualTo("TASK_STATE_OPEN");
      assertThat(yaml.code).isZero();
      JsonNode fromYaml = new YAMLMapper().readTree(yaml.out).get("tasks");
      assertThat(fromYaml).extracting(t -> t.get("taskId").asText()).containsExactly(t1);
      assertThat(table.code).isZero();
      assertThat(table.out.lines().findFirst().orElseThrow()).startsWith("TASK").contains("AGENT", "STATE");
      assertThat(table.out).contains(t1, t2, "open");
    }
  }

  @Test
  void tasksShow_printsTheTaskWithItsLeases_andUnknownIdExitsOne() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENTS + "show-bot"))) {
      Live task = RevokeBySelectorIT.live(agent, "report:show");

      Run json = run("tasks", "show", task.taskId(), "-o", "json");
      Run table = run("tasks", "show", task.taskId(), "-o", "table");
      Run missing = run("tasks", "show", "tsk_000000000000000000000000", "-o", "json");

      assertThat(json.code).isZero();
      JsonNode info = JSON.readTree(json.out);
      assertThat(info.get("agent").asText()).isEqualTo(AGENTS + "show-bot");
      assertThat(info.get("leases").get(0).get("leaseId").asText()).isEqualTo(task.cred().getLeaseId());
      assertThat(table.code).isZero();
      assertThat(table.out).contains("task      " + task.taskId(), "state     open", task.cred().getLeaseId());
      assertThat(missing.code).isEqualTo(1);
      assertThat(missing.err).contains("NOT_FOUND");
    }
  }

  @Test
  void revokeByAgent_withYes_printsJsonLinesReceiptsAndSummary_exitsZero_andKillsOnlyThoseCredentials()
      throws Exception {
    try (Agent doomedAgent = new Agent(minter.channelFor(AGENTS + "cli-doomed"));
        Agent keptAgent = new Agent(minter.channelFor(AGENTS + "cli-kept"))) {
      Live d1 = RevokeBySelectorIT.live(doomedAgent, "report:cli");
      Live d2 = RevokeBySelectorIT.live(doomedAgent, "report:cli");
      Live kept = RevokeBySelectorIT.live(keptAgent, "report:cli");

      Run run = run("revoke", "--agent", AGENTS + "cli-doomed", "--reason", "cli test", "--yes", "-o", "json");

      assertThat(run.code).isZero();
      List<JsonNode> lines = new ArrayList<>();
      for (String line : run.out.strip().split("\n")) {
        lines.add(JSON.readTree(line));
      }
      assertThat(lines).hasSize(3);
      assertThat(lines.subList(0, 2)).extracting(l -> l.get("taskId").asText())
          .containsExactlyInAnyOrder(d1.taskId(), d2.taskId());
      assertThat(lines.get(2).get("matched").asLong()).isEqualTo(2);
      assertThat(lines.get(2).get("revoked").asLong()).isEqualTo(2);
      assertRefused(d1.cred());
      assertRefused(d2.cred());
      assertWorks(kept.cred());
    }
  }

  @Test
  void revokeBulk_withoutYesAndWithoutConsole_refusesWithExitOne_andRevokesNothing() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENTS + "cli-unconfirmed"))) {
      Live task = RevokeBySelectorIT.live(agent, "report:cli");

      Run run = run("revoke", "--agent", AGENTS + "cli-unconfirmed");

      assertThat(run.code).isEqualTo(1);
      assertThat(run.err).contains("pass --yes");
      assertWorks(task.cred());
    }
  }

  @Test
  void revokeDryRun_listsMatchesInJsonAndYaml_exitsZero_revokesNothing() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENTS + "cli-dry"))) {
      Live task = RevokeBySelectorIT.live(agent, "report:cli");

      Run json = run("revoke", "--agent", AGENTS + "cli-dry", "--dry-run", "-o", "json");
      Run yaml = run("revoke", "--agent", AGENTS + "cli-dry", "--dry-run", "-o", "yaml");
      Run table = run("revoke", "--agent", AGENTS + "cli-dry", "--dry-run");

      assertThat(json.code).isZero();
      assertThat(JSON.readTree(json.out).get("matched").asLong()).isEqualTo(1);
      assertThat(JSON.readTree(json.out).get("taskIds").get(0).asText()).isEqualTo(task.taskId());
      assertThat(new YAMLMapper().readTree(yaml.out).get("matched").asLong()).isEqualTo(1);
      assertThat(table.out).contains("would revoke 1 open task(s)", task.taskId());
      assertWorks(task.cred());
    }
  }

  @Test
  void revokeByTask_keepsTheSingleTaskBehaviour_inYaml() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENTS + "cli-single"))) {
      Live task = RevokeBySelectorIT.live(agent, "report:cli");

      Run run = run("revoke", "--task", task.taskId(), "-o", "yaml");

      assertThat(run.code).isZero();
      assertThat(new YAMLMapper().readTree(run.out).get("taskId").asText()).isEqualTo(task.taskId());
      assertRefused(task.cred());
    }
  }

  @Test
  void revokeBulk_whileOpenBaoIsDown_exitsThree_andTheQueuedRevocationLandsLater() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENTS + "cli-outage"))) {
      Live task = RevokeBySelectorIT.live(agent, "report:cli");
      Run run;
      minter.stack.stopOpenBao();
      try {
        run = run("revoke", "--agent", AGENTS + "cli-outage", "--yes", "-o", "json");
      } finally {
        minter.stack.startOpenBao();
      }

      assertThat(run.code).isEqualTo(3);
      JsonNode summary = JSON.readTree(run.out.strip().lines().reduce((a, b) -> b).orElseThrow());
      assertThat(summary.get("queued").asLong()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        minter.server().runMaintenance();
        assertRefused(task.cred());
      });
    }
  }

  @Test
  void revoke_refusals_haveTheRightExitCodes() throws Exception {
    Run twoSelectors = run("revoke", "--agent", "x", "--purpose", "y", "--yes");
    Run noSelector = run("revoke", "--yes");
    Run owner = run("revoke", "--owner", "team-a", "--yes");
    Run subtree = run("revoke", "--subtree", "tsk_x", "--yes");
    Run nonAdmin = runAs("cli-agent", "revoke", "--all", "--yes");

    assertThat(twoSelectors.code).isEqualTo(2);
    assertThat(noSelector.code).isEqualTo(2);
    assertThat(owner.code).isZero(); // an owner with no registered agents matches nothing

    assertThat(subtree.code).isZero(); // an unknown task has no subtree: nothing matches, nothing is revoked
    assertThat(subtree.out).contains("matched 0");
    assertThat(nonAdmin.code).isEqualTo(1);
    assertThat(nonAdmin.err).contains("PERMISSION_DENIED");
  }

  @Test
  void help_showsExamplesForEachCommand() {
    assertThat(run("revoke", "--help").out).contains("Examples:", "--dry-run", "--yes", "--source");
    assertThat(run("tasks", "ls", "--help").out).contains("Examples:", "--attestor");
    assertThat(run("tasks", "show", "--help").out).contains("Example:");
  }

  record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    return runAs("admin", args);
  }

  private static synchronized Run runAs(String who, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--help")) {
      all.addAll(minter.clientFiles(who));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      var cli = Main.commandLine();
      cli.setOut(new java.io.PrintWriter(System.out, true));
      cli.setErr(new java.io.PrintWriter(System.err, true));
      code = cli.execute(all.toArray(String[]::new));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
