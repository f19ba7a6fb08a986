package dev.minter.api;

import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.task.Receipt;

/**
 * A revocation receipt in its wire form, for the CLI's break-glass path ({@code minter revoke --direct}), which has no
 * server to map it and must print exactly what the server's answer would show.
 */
public final class ReceiptProtos {
  private ReceiptProtos() {}

  public static RevocationReceipt toProto(Receipt receipt) {
    return ProtoMapper.toProto(receipt);
  }
}
