package dev.minter.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to a cap; a longer body cancels the exchange and fails with {@link
 * TooLarge}, so a misbehaving endpoint cannot make Minter buffer without bound.
 */
public final class LimitedBody implements BodySubscriber<byte[]> {
  /** The body exceeded the cap. */
  public static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge(int cap) {
      super("response body larger than " + cap + " bytes");
    }
  }

  private final int cap;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private LimitedBody(int cap) {
    this.cap = cap;
  }

  /** A handler reading at most {@code cap} bytes; a declared or actual longer body fails with {@link TooLarge}. */
  public static BodyHandler<byte[]> handler(int cap) {
    return info -> {
      long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
      LimitedBody body = new LimitedBody(cap);
      if (declared > cap) {
        body.result.completeExceptionally(new TooLarge(cap));
      }
      return body;
    };
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (result.isDone()) {
      s.cancel();
    } else {
      s.request(Long.MAX_VALUE);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer buffer : buffers) {
      if (out.size() + buffer.remaining() > cap) {
        subscription.cancel();
        result.completeExceptionally(new TooLarge(cap));
        return;
      }
      byte[] chunk = new byte[buffer.remaining()];
      buffer.get(chunk);
      out.write(chunk, 0, chunk.length);
    }
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    result.complete(out.toByteArray());
  }
}
