// Awaiting a CommandOp from a coroutine: hands it to the writer thread and
// resumes on the caller's own executor once the op's group is durable.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>

#include <memory>
#include <type_traits>
#include <utility>

#include "command/dispatch.h"
#include "engine/engine.h"

namespace cairn::net {

template <typename Token>
auto async_run_op(engine::Engine& engine, command::CommandOp& op, Token&& token) {
  namespace asio = boost::asio;
  return asio::async_initiate<Token, void()>(
      [&engine, &op](auto handler) {
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<std::decay_t<decltype(handler)>>(std::move(handler));
        op.on_done = [h, ex]() { asio::post(ex, [h]() mutable { std::move (*h)(); }); };
        engine.submit(&op);
      },
      token);
}

}  // namespace cairn::net
