package dev.minter.api;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.minter.proto.v1.BeginTaskRequest;
import dev.minter.proto.v1.BeginTaskResponse;
import dev.minter.proto.v1.DelegateRequest;
import dev.minter.proto.v1.DelegateResponse;
import dev.minter.proto.v1.DelegationLink;
import dev.minter.policy.DelegationView;
import dev.minter.task.DelegateCommand;
import dev.minter.task.DelegatedGrant;
import dev.minter.proto.v1.CertificateCredential;
import dev.minter.proto.v1.GenericCredential;
import dev.minter.proto.v1.SshCertificateCredential;
import dev.minter.vault.LeaseType;
import dev.minter.vault.Secret;
import dev.minter.proto.v1.CredentialRevocation;
import dev.minter.proto.v1.DatabaseCredential;
import dev.minter.proto.v1.RabbitMqCredential;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.proto.v1.RevocationStatus;
import dev.minter.proto.v1.VaultTokenCredential;
import dev.minter.task.BeginTaskCommand;
import dev.minter.task.OpenedTask;
import dev.minter.task.Receipt;
import dev.minter.task.TaskService;
import dev.minter.vault.Credential;
import dev.minter.vault.MintedCredential;
import dev.minter.ledger.TaskRecord;
import dev.minter.policy.DelegationView;
import dev.minter.proto.v1.DelegationLink;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Wire format ⇄ domain. Generated protobuf types stop here. */
final class ProtoMapper {
  private ProtoMapper() {}

  static BeginTaskCommand toCommand(BeginTaskRequest request) {
    Optional<java.time.Duration> ttl =
        request.hasTtl() ? Optional.of(toDuration(request.getTtl())) : Optional.empty();
    return new BeginTaskCommand(
        request.getPurpose(),
        ttl,
        request.getRolesList(),
        request.getLabelsMap(),
        secret(request.getDelegationToken()),
        secret(request.getDelegationGrant()));
  }

  static BeginTaskResponse toProto(OpenedTask task) {
    return BeginTaskResponse.newBuilder()
        .setTaskId(task.taskId())
        .setExpiresAt(toTimestamp(task.expiresAt()))
        .setTtl(Duration.newBuilder().setSeconds(task.ttl().toSeconds()).setNanos(task.ttl().toNanosPart()))
        .addAllRoles(task.roles())
        .setRule(task.rule())
        .addAllChain(task.chain().stream().map(ProtoMapper::toProto).toList())
        .setParentTaskId(task.parentTaskId())
        .build();
  }

  static DelegationLink toProto(DelegationView.Link link) {
    return DelegationLink.newBuilder()
        .setKind(link.kind())
        .setSubject(link.subject())
        .setTaskId(link.task())
        .setRule(link.rule())
        .build();
  }

  static DelegateCommand toCommand(DelegateRequest request) {
    Optional<java.time.Duration> ttl =
        request.hasTtl() ? Optional.of(toDuration(request.getTtl())) : Optional.empty();
    return new DelegateCommand(
        request.getTaskId(), request.getSubAgent(), request.getRolesList(), request.getPurposesList(), ttl);
  }

  static DelegateResponse toProto(DelegatedGrant grant) {
    return DelegateResponse.newBuilder()
        .setGrant(grant.grant().reveal())
        .setGrantId(grant.grantId())
        .setExpiresAt(toTimestamp(grant.expiresAt()))
        .addAllRoles(grant.roles())
        .addAllPurposes(grant.purposes())
        .setMaxTtl(Duration.newBuilder().setSeconds(grant.maxTtl().toSeconds()))
        .build();
  }

  static MintCredentialResponse toProto(TaskService.Minted minted) {
    MintedCredential c = minted.credential();
    MintCredentialResponse.Builder b =
        MintCredentialResponse.newBuilder()
            .setTaskId(minted.taskId())
            .setRole(minted.role())
            .setKind(c.kind())
            .setLeaseId(c.leaseId())
            .setExpiresAt(toTimestamp(c.expiresAt()));
    switch (c.credential()) {
      case Credential.Database db ->
          b.setDatabase(
              DatabaseCredential.newBuilder().setUsername(db.username()).setPassword(db.password().reveal()));
      case Credential.RabbitMq mq ->
          b.setRabbitmq(
              RabbitMqCredential.newBuilder().setUsername(mq.username()).setPassword(mq.password().reveal()));
      case Credential.VaultToken token ->
          b.setVaultToken(
              VaultTokenCredential.newBuilder()
                  .setToken(token.token().reveal())
                  .setAccessor(token.accessor())
                  .addAllPolicies(token.policies()));
      case Credential.Certificate cert ->
          b.setCertificate(
              CertificateCredential.newBuilder()
                  .setCertificate(cert.certificatePem())
                  .addAllCaChain(cert.caChain())
                  .setPrivateKey(cert.privateKey().map(Secret::reveal).orElse(""))
                  .setSerialNumber(cert.serialNumber()));
      case Credential.SshCertificate ssh ->
          b.setSshCertificate(
              SshCertificateCredential.newBuilder()
                  .setSignedKey(ssh.signedKey())
                  .setSerialNumber(ssh.serialNumber())
                  .addAllPrincipals(ssh.principals()));
      case Credential.Generic generic -> {
        GenericCredential.Builder g = GenericCredential.newBuilder();
        generic.data().forEach((k, v) -> g.putData(k, v.reveal()));
        b.setGeneric(g);
      }
    }
    b.setExpiresOnly(c.leaseType() == LeaseType.NONE);
    return b.build();
  }

  /**
   * A receipt with its children's receipts nested (the revoker bounds the nesting depth, so the recursion is bounded
   * and the message stays within protobuf's decoding depth).
   */
  static RevocationReceipt toProto(Receipt receipt) {
    RevocationReceipt.Builder b =
        RevocationReceipt.newBuilder()
            .setTaskId(receipt.taskId())
            .setReason(receipt.reason())
            .setToken(toProto(receipt.token()))
            .setRevokedAt(toTimestamp(receipt.revokedAt()))
            .setRevokedBy(receipt.revokedBy());
    for (Receipt.Item item : receipt.credentials()) {
      b.addCredentials(
          CredentialRevocation.newBuilder()
              .setLeaseId(item.leaseId())
              .setRole(item.role())
              .setKind(item.kind())
              .setStatus(toProto(item.status()))
              .setDetail(item.detail()));
    }
    for (Receipt child : receipt.children()) {
      b.addChildren(toProto(child));
    }
    return b.build();
  }

  /**
   * A task's delegation chain as operators read it: every delegator, first one first, then the task's own agent
   * (with the task and the rule that allowed it); just that one link for an undelegated task, as BeginTask answers.
   */
  static List<DelegationLink> chain(TaskRecord task) {
    return task.chain().stream().map(ProtoMapper::toProto).toList();
  }

  static RevocationStatus toProto(dev.minter.task.RevocationStatus status) {
    return switch (status) {
      case REVOKED -> RevocationStatus.REVOKED;
      case ALREADY_GONE -> RevocationStatus.ALREADY_GONE;
      case FAILED_QUEUED -> RevocationStatus.FAILED_QUEUED;
      case EXPIRES_ONLY -> RevocationStatus.EXPIRES_ONLY;
    };
  }

  static java.time.Duration toDuration(Duration d) {
    if (d.getSeconds() < 0 || d.getNanos() < 0 || d.getNanos() > 999_999_999) {
      throw new IllegalArgumentException(
          "ttl: " + d.getSeconds() + "s " + d.getNanos() + "ns (expected: a positive duration)");
    }
    return java.time.Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  static Timestamp toTimestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  /** An optional secret from a proto string field, where empty means absent. */
  private static Optional<Secret> secret(String value) {
    return value.isEmpty() ? Optional.empty() : Optional.of(Secret.of(value));
  }
}
