# dynsup_churn, Elixir/BEAM twin (no CAF twin: CAF has no DynamicSupervisor).
#
# N children (default 100,000), minimal GenServers, are started one after the
# other with DynamicSupervisor.start_child, then all terminated, in the same
# order, with DynamicSupervisor.terminate_child (which waits for each child to
# exit). Metric: dynsup_churn = N / (start phase + terminate phase), children
# churned (started and terminated) per second; 2 * N supervisor operations.
# Verification: every call succeeded, count_children is 0 afterwards and the
# children are dead.
#
# Run: elixir --erl "+P 10000000 +S 2:2" bench/beam/dynsup_churn.exs [N=100000]
defmodule MinimalWorker do
  use GenServer

  def start_link(arg), do: GenServer.start_link(__MODULE__, arg)

  @impl true
  def init(arg), do: {:ok, arg}
end

defmodule DynsupChurn do
  def fail(msg) do
    IO.puts(:stderr, "error: " <> msg)
    System.halt(1)
  end

  defp start_all(0, _sup, acc), do: Enum.reverse(acc)

  defp start_all(k, sup, acc) do
    case DynamicSupervisor.start_child(sup, {MinimalWorker, nil}) do
      {:ok, pid} -> start_all(k - 1, sup, [pid | acc])
      other -> fail("start_child: #{inspect(other)}")
    end
  end

  defp terminate_all([], _sup), do: :ok

  defp terminate_all([pid | rest], sup) do
    case DynamicSupervisor.terminate_child(sup, pid) do
      :ok -> terminate_all(rest, sup)
      other -> fail("terminate_child #{inspect(pid)}: #{inspect(other)}")
    end
  end

  def main(args) do
    n =
      case args do
        [] -> 100_000
        [s | _] -> String.to_integer(s)
      end

    if n <= 0, do: fail("N must be positive")
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)

    t0 = :erlang.monotonic_time(:nanosecond)
    pids = start_all(n, sup, [])
    t1 = :erlang.monotonic_time(:nanosecond)
    started = DynamicSupervisor.count_children(sup).active
    t2 = :erlang.monotonic_time(:nanosecond)
    terminate_all(pids, sup)
    t3 = :erlang.monotonic_time(:nanosecond)

    if started != n, do: fail("#{started} children active after the starts, expected #{n}")
    counts = DynamicSupervisor.count_children(sup)

    if counts != %{specs: 0, active: 0, supervisors: 0, workers: 0},
      do: fail("count_children after the terminations: #{inspect(counts)}")

    if Enum.any?(pids, &Process.alive?/1), do: fail("a terminated child is still alive")

    secs = (t1 - t0 + (t3 - t2)) / 1.0e9
    IO.puts("METRIC name=dynsup_churn value=#{:erlang.float_to_binary(n / secs, decimals: 3)}")
  end
end

DynsupChurn.main(System.argv())
