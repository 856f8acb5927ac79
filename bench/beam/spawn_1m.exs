# spawn_1m, Elixir/BEAM twin.
#
# Spawns N processes, each of which waits in `receive` for one message. The
# spawn phase ends when all N have started and are about to block in
# `receive` (the last one to start tells the parent through an :atomics
# counter). RSS is measured then. Then every process is sent `:go`; each
# decrements the counter and exits, the last one tells the parent.
#
# Run: elixir --erl "+P 10000000 +S 2:2" bench/beam/spawn_1m.exs [N=1000000]
defmodule Spawn1M do
  def rss_bytes do
    status = File.read!("/proc/self/status")
    [_, kb] = Regex.run(~r/VmRSS:\s+(\d+)\s+kB/, status)
    String.to_integer(kb) * 1024
  end

  def waiter(parent, counter, n) do
    if :atomics.add_get(counter, 1, 1) == n, do: send(parent, :all_started)

    receive do
      :go ->
        if :atomics.sub_get(counter, 1, 1) == 0, do: send(parent, :all_done)
    end
  end

  defp spawn_all(0, _parent, _counter, _n, acc), do: acc

  defp spawn_all(k, parent, counter, n, acc) do
    pid = spawn(__MODULE__, :waiter, [parent, counter, n])
    spawn_all(k - 1, parent, counter, n, [pid | acc])
  end

  def fail(msg) do
    IO.puts(:stderr, "error: " <> msg)
    System.halt(1)
  end

  def main(args) do
    n =
      case args do
        [] -> 1_000_000
        [s | _] -> String.to_integer(s)
      end

    if n <= 0, do: fail("N must be positive")
    counter = :atomics.new(1, signed: true)
    parent = self()
    :erlang.garbage_collect()
    rss0 = rss_bytes()

    t0 = :erlang.monotonic_time(:nanosecond)
    pids = spawn_all(n, parent, counter, n, [])

    receive do
      :all_started -> :ok
    after
      600_000 -> fail("timeout waiting for the processes to start")
    end

    t1 = :erlang.monotonic_time(:nanosecond)
    rss1 = rss_bytes()

    started = :atomics.get(counter, 1)
    if started != n, do: fail("#{started} of #{n} processes started")
    # Spot-check that the processes really are idle in receive.
    for pid <- Enum.take(pids, 100) do
      case Process.info(pid, :status) do
        {:status, :waiting} -> :ok
        other -> fail("process #{inspect(pid)} not waiting: #{inspect(other)}")
      end
    end

    Enum.each(pids, &send(&1, :go))

    receive do
      :all_done -> :ok
    after
      600_000 -> fail("timeout waiting for the processes to finish")
    end

    left = :atomics.get(counter, 1)
    if left != 0, do: fail("#{left} processes did not finish")

    secs = (t1 - t0) / 1.0e9
    IO.puts("METRIC name=spawn_1m value=#{:erlang.float_to_binary(n / secs, decimals: 3)}")

    IO.puts(
      "METRIC name=spawn_1m_bytes value=#{:erlang.float_to_binary((rss1 - rss0) / n, decimals: 3)}"
    )
  end
end

Spawn1M.main(System.argv())
