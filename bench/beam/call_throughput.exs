# call_throughput, Elixir/BEAM twin.
#
# One GenServer holds an integer; every call increments it and replies with
# the new value. For each configuration (2 callers, then 100 callers) a fresh
# server is started and TOTAL calls (default 1,000,000) are split evenly over
# the callers; each caller makes its share with GenServer.call in a loop,
# checks that the values it got strictly increase, and reports. Metrics:
# call_throughput_2 and call_throughput_100, calls per second, timed from
# releasing the (already spawned) callers to the last report. Verification:
# the server's final count equals TOTAL.
#
# Run: elixir --erl "+P 10000000 +S 2:2" bench/beam/call_throughput.exs [TOTAL=1000000]
defmodule Counter do
  use GenServer

  @impl true
  def init(n), do: {:ok, n}

  @impl true
  def handle_call(:inc, _from, n), do: {:reply, n + 1, n + 1}
  def handle_call(:get, _from, n), do: {:reply, n, n}
end

defmodule CallThroughput do
  def caller(server, calls, main) do
    receive do
      :go -> :ok
    end

    send(main, {:done, self(), loop(server, calls, 0)})
  end

  # Returns :ok, or {:bad, previous, got} when a reply did not increase.
  defp loop(_server, 0, _last), do: :ok

  defp loop(server, k, last) do
    v = GenServer.call(server, :inc)
    if v > last, do: loop(server, k - 1, v), else: {:bad, last, v}
  end

  def fail(msg) do
    IO.puts(:stderr, "error: " <> msg)
    System.halt(1)
  end

  defp collect(0), do: :ok

  defp collect(k) do
    receive do
      {:done, _pid, :ok} -> collect(k - 1)
      {:done, _pid, {:bad, a, b}} -> fail("a caller got #{b} after #{a}")
    after
      600_000 -> fail("timeout waiting for the callers")
    end
  end

  def run(total, callers) do
    {:ok, server} = GenServer.start_link(Counter, 0)
    main = self()
    # The first rem(total, callers) callers make one call more.
    pids =
      for i <- 0..(callers - 1) do
        share = div(total, callers) + if(i < rem(total, callers), do: 1, else: 0)
        spawn_link(__MODULE__, :caller, [server, share, main])
      end

    t0 = :erlang.monotonic_time(:nanosecond)
    Enum.each(pids, &send(&1, :go))
    collect(callers)
    t1 = :erlang.monotonic_time(:nanosecond)

    count = GenServer.call(server, :get)
    if count != total, do: fail("#{callers} callers: counter is #{count}, expected #{total}")
    GenServer.stop(server)
    total / ((t1 - t0) / 1.0e9)
  end

  def main(args) do
    total =
      case args do
        [] -> 1_000_000
        [s | _] -> String.to_integer(s)
      end

    if total <= 0, do: fail("TOTAL must be positive")

    for callers <- [2, 100] do
      rate = run(total, callers)

      IO.puts(
        "METRIC name=call_throughput_#{callers} value=#{:erlang.float_to_binary(rate, decimals: 3)}"
      )
    end
  end
end

CallThroughput.main(System.argv())
