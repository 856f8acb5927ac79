# idle_timers_async, Elixir/BEAM twin.
#
# N processes (default 1,000,000), each of which arms a 5-minute timer when it
# starts (Process.send_after(self(), :tick, 300_000)) and then waits in
# receive, the shape of a notification worker, started without waiting for
# them: one "supervisor" process spawns and monitors them (spawn_monitor),
# 1,000 per message, and keeps their pids. This is the CAF twin's shape;
# idle_timers is the same workers as GenServers under a DynamicSupervisor. The
# start phase runs from asking the supervisor to start N workers until the last
# worker has armed its timer (the last one to start tells the driver through
# an :atomics counter). Metrics: idle_timers_async = N / start phase duration
# (workers per second), idle_timers_async_bytes = (RSS with all N idle - RSS
# before) / N, read from /proc/self/status as in spawn_1m (the pids, monitors
# and timers are included). Verification: N workers started, the supervisor
# holds N live children, the node counts N + 1 more processes than before, and
# stopping them yields N DOWNs.
#
# Run: elixir --erl "+P 10000000 +S 2:2" bench/beam/idle_timers_async.exs [N=1000000]
defmodule IdleTimersAsync do
  @batch 1000

  def rss_bytes do
    status = File.read!("/proc/self/status")
    [_, kb] = Regex.run(~r/VmRSS:\s+(\d+)\s+kB/, status)
    String.to_integer(kb) * 1024
  end

  def fail(msg) do
    IO.puts(:stderr, "error: " <> msg)
    System.halt(1)
  end

  def worker(driver, counter, n) do
    Process.send_after(self(), :tick, 300_000)
    if :atomics.add_get(counter, 1, 1) == n, do: send(driver, :started)
    idle()
  end

  # The tick never comes within the benchmark; a real worker would notify here.
  defp idle do
    receive do
      :tick ->
        Process.send_after(self(), :tick, 300_000)
        idle()
    end
  end

  def supervisor(driver, counter, n, children, count, down) do
    receive do
      {:start, left} ->
        k = min(left, @batch)

        children =
          Enum.reduce(1..k, children, fn _, acc ->
            {pid, _ref} = spawn_monitor(__MODULE__, :worker, [driver, counter, n])
            [pid | acc]
          end)

        if left > k, do: send(self(), {:start, left - k})
        supervisor(driver, counter, n, children, count + k, down)

      {:count, from} ->
        send(from, {:count, count - down})
        supervisor(driver, counter, n, children, count, down)

      {:DOWN, _, :process, _, _} ->
        supervisor(driver, counter, n, children, count, down + 1)

      {:stop, from} ->
        Enum.each(children, &Process.exit(&1, :shutdown))
        await_down(count - down)
        send(from, :stopped)
    end
  end

  defp await_down(0), do: :ok

  defp await_down(k) do
    receive do
      {:DOWN, _, :process, _, _} -> await_down(k - 1)
    end
  end

  def main(args) do
    n =
      case args do
        [] -> 1_000_000
        [s | _] -> String.to_integer(s)
      end

    if n <= 0, do: fail("N must be positive")
    counter = :atomics.new(1, [])
    me = self()
    sup = spawn(fn -> supervisor(me, counter, n, [], 0, 0) end)
    procs0 = :erlang.system_info(:process_count)
    :erlang.garbage_collect()
    rss0 = rss_bytes()

    t0 = :erlang.monotonic_time(:nanosecond)
    send(sup, {:start, n})

    receive do
      :started -> :ok
    end

    t1 = :erlang.monotonic_time(:nanosecond)
    rss1 = rss_bytes()

    started = :atomics.get(counter, 1)
    if started != n, do: fail("#{started} of #{n} workers started")
    send(sup, {:count, self()})

    receive do
      {:count, ^n} -> :ok
      {:count, k} -> fail("supervisor has #{k} live children, expected #{n}")
    end

    procs = :erlang.system_info(:process_count) - procs0
    if procs != n, do: fail("#{procs} new processes, expected N")
    send(sup, {:stop, self()})

    receive do
      :stopped -> :ok
    end

    secs = (t1 - t0) / 1.0e9
    IO.puts("METRIC name=idle_timers_async value=#{:erlang.float_to_binary(n / secs, decimals: 3)}")

    IO.puts(
      "METRIC name=idle_timers_async_bytes value=#{:erlang.float_to_binary((rss1 - rss0) / n, decimals: 3)}"
    )
  end
end

IdleTimersAsync.main(System.argv())
