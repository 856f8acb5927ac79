# pingpong, Elixir/BEAM twin.
#
# Two processes, ping and pong, exchange ROUNDS round trips (default
# 1,000,000): ping sends {:ping, self(), i}, pong answers {:pong, i}, ping
# checks the number and goes on. The driver starts ping, ping reports the
# number of completed round trips when done. Metric: nanoseconds per round
# trip.
#
# Run: elixir --erl "+P 10000000 +S 2:2" bench/beam/pingpong.exs [ROUNDS=1000000]
defmodule PingPong do
  def pong do
    receive do
      {:ping, from, i} ->
        send(from, {:pong, i})
        pong()

      :stop ->
        :ok
    end
  end

  def ping(pong, rounds, main) do
    receive do
      :go -> ping_loop(pong, 0, rounds, main)
    end
  end

  defp ping_loop(_pong, done, rounds, main) when done == rounds, do: send(main, {:done, done})

  defp ping_loop(pong, done, rounds, main) do
    send(pong, {:ping, self(), done})

    receive do
      {:pong, ^done} -> ping_loop(pong, done + 1, rounds, main)
      {:pong, other} -> send(main, {:bad, done, other})
    end
  end

  def fail(msg) do
    IO.puts(:stderr, "error: " <> msg)
    System.halt(1)
  end

  def main(args) do
    rounds =
      case args do
        [] -> 1_000_000
        [s | _] -> String.to_integer(s)
      end

    if rounds <= 0, do: fail("ROUNDS must be positive")
    me = self()
    pong = spawn(__MODULE__, :pong, [])
    ping = spawn(__MODULE__, :ping, [pong, rounds, me])

    t0 = :erlang.monotonic_time(:nanosecond)
    send(ping, :go)

    done =
      receive do
        {:done, n} -> n
        {:bad, want, got} -> fail("round trip #{want} answered with #{got}")
      after
        600_000 -> fail("timeout")
      end

    t1 = :erlang.monotonic_time(:nanosecond)
    send(pong, :stop)
    if done != rounds, do: fail("#{done} round trips, expected #{rounds}")

    IO.puts(
      "METRIC name=pingpong value=#{:erlang.float_to_binary((t1 - t0) / rounds, decimals: 3)}"
    )
  end
end

PingPong.main(System.argv())
