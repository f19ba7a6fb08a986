package dev.minter.api;

import dev.minter.task.RequestIds;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Runs a unary handler with the request id in scope and every failure turned into a status by {@link StatusMapper}. */
final class Calls {
  private Calls() {}

  static <T> void unary(StreamObserver<T> observer, Supplier<T> handler) {
    String requestId = Caller.requestId();
    T response;
    try {
      response = RequestIds.with(requestId, handler);
    } catch (RuntimeException | Error e) {
      observer.onError(StatusMapper.toStatus(e, requestId));
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }
}
