package dev.minter.testing;

import dev.minter.vault.Secret;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A real AMQP 0-9-1 login, by hand (no AMQP client dependency): protocol header, read Connection.Start, answer
 * Connection.StartOk with PLAIN credentials. The broker answers Connection.Tune only when it accepted them; on a
 * refused login it closes the connection. The management API cannot be used for this: it turns away users
 * without a management tag (401) whatever their password, and the agents' users have no tags.
 */
public final class AmqpLogin {
  private static final int FRAME_METHOD = 1;
  private static final int FRAME_END = 0xCE;

  private AmqpLogin() {}

  /** Whether the broker on 127.0.0.1:{@code port} accepts {@code user}/{@code password}. */
  public static boolean accepted(int port, String user, Secret password) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(10_000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      out.write(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
      out.flush();
      if (readMethod(in) != method(10, 10)) {
        throw new IOException("expected Connection.Start");
      }
      ByteArrayOutputStream args = new ByteArrayOutputStream();
      DataOutputStream a = new DataOutputStream(args);
      a.writeShort(10);
      a.writeShort(11); // Connection.StartOk
      a.writeInt(0); // client-properties: empty table
      shortString(a, "PLAIN");
      byte[] response = ("\0" + user + "\0" + password.reveal()).getBytes(StandardCharsets.UTF_8);
      a.writeInt(response.length);
      a.write(response);
      shortString(a, "en_US");
      out.writeByte(FRAME_METHOD);
      out.writeShort(0);
      out.writeInt(args.size());
      args.writeTo(out);
      out.writeByte(FRAME_END);
      out.flush();
      try {
        return readMethod(in) == method(10, 30); // Connection.Tune: authenticated
      } catch (EOFException | java.net.SocketException refused) {
        return false; // the broker closes the socket on a refused login
      }
    }
  }

  private static int method(int classId, int methodId) {
    return classId << 16 | methodId;
  }

  /** Reads one method frame and returns its class and method id. */
  private static int readMethod(DataInputStream in) throws IOException {
    int type = in.readUnsignedByte();
    in.readUnsignedShort(); // channel
    byte[] payload = new byte[in.readInt()];
    in.readFully(payload);
    if (in.readUnsignedByte() != FRAME_END || type != FRAME_METHOD || payload.length < 4) {
      throw new IOException("malformed AMQP frame");
    }
    return method((payload[0] & 0xFF) << 8 | payload[1] & 0xFF, (payload[2] & 0xFF) << 8 | payload[3] & 0xFF);
  }

  private static void shortString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeByte(bytes.length);
    out.write(bytes);
  }
}
