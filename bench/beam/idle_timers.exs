# idle_timers, Elixir/BEAM twin.
#
# N GenServers (default 1,000,000) are started one after the other under one
# DynamicSupervisor with DynamicSupervisor.start_child; each arms a 5-minute
# timer in init (Process.send_after(self(), :tick, 300_000)) and then sits
# idle: the shape of a notification worker. start_child returns once the
# child's init has run, so the start phase ends when the last call returns.
# Metrics: idle_timers = N / start phase duration (workers per second), and
# idle_timers_bytes = (RSS with all N idle - RSS before the first start) / N,
# read from /proc/self/status as in spawn_1m (the supervisor's map of
# children and the timers are included). Verification: count_children reports
# N active workers, and a sample of workers still have their timer pending.
#
# Run: elixir --erl "+P 10000000 +S 2:2" bench/beam/idle_timers.exs [N=1000000]
defmodule IdleWorker do
  use GenServer

  def start_link(arg), do: GenServer.start_link(__MODULE__, arg)

  @impl true
  def init(:ok), do: {:ok, Process.send_after(self(), :tick, 300_000)}

  # The tick never comes within the benchmark; a real worker would notify here.
  @impl true
  def handle_info(:tick, _timer), do: {:noreply, Process.send_after(self(), :tick, 300_000)}
end

defmodule IdleTimers do
  def rss_bytes do
    status = File.read!("/proc/self/status")
    [_, kb] = Regex.run(~r/VmRSS:\s+(\d+)\s+kB/, status)
    String.to_integer(kb) * 1024
  end

  def fail(msg) do
    IO.puts(:stderr, "error: " <> msg)
    System.halt(1)
  end

  defp start_all(0, _sup), do: :ok

  defp start_all(k, sup) do
    case DynamicSupervisor.start_child(sup, {IdleWorker, :ok}) do
      {:ok, _pid} -> start_all(k - 1, sup)
      other -> fail("start_child: #{inspect(other)}")
    end
  end

  def main(args) do
    n =
      case args do
        [] -> 1_000_000
        [s | _] -> String.to_integer(s)
      end

    if n <= 0, do: fail("N must be positive")
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
    :erlang.garbage_collect()
    rss0 = rss_bytes()

    t0 = :erlang.monotonic_time(:nanosecond)
    start_all(n, sup)
    t1 = :erlang.monotonic_time(:nanosecond)
    rss1 = rss_bytes()

    counts = DynamicSupervisor.count_children(sup)

    if counts.active != n or counts.workers != n,
      do: fail("count_children: #{inspect(counts)}, expected #{n} active workers")

    for {_, pid, _, _} <- Enum.take(DynamicSupervisor.which_children(sup), 100) do
      left = Process.read_timer(:sys.get_state(pid))
      if !is_integer(left) or left <= 0, do: fail("worker #{inspect(pid)} has no timer pending")
    end

    secs = (t1 - t0) / 1.0e9
    IO.puts("METRIC name=idle_timers value=#{:erlang.float_to_binary(n / secs, decimals: 3)}")

    IO.puts(
      "METRIC name=idle_timers_bytes value=#{:erlang.float_to_binary((rss1 - rss0) / n, decimals: 3)}"
    )
  end
end

IdleTimers.main(System.argv())
