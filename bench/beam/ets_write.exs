# ets_write, Elixir/BEAM twin.
#
# The same table as ets_read (a :set, public, read_concurrency and write_concurrency) is
# filled with N objects {k, 0} for k in 0..N-1. Then 2 worker processes (one per scheduler)
# each do OPS/2 :ets.update_counter(t, key, 1) on random keys (each with its own MINSTD
# generator, the same as the Otter program's). ets_write = updates per second, timed from
# releasing the (already spawned) workers to the last one's report. OPS = 10 * N. Verified:
# the counters add up to OPS and every update returned a positive count.
#
# Run: elixir --erl "+P 10000000 +S 2:2" bench/beam/ets_write.exs [N=1000000]
defmodule EtsWrite do
  def fail(msg) do
    IO.puts(:stderr, "error: " <> msg)
    System.halt(1)
  end

  defp fill(_t, n, n), do: :ok

  defp fill(t, k, n) do
    :ets.insert(t, {k, 0})
    fill(t, k + 1, n)
  end

  def worker(t, n, ops, seed, main) do
    receive do
      :go -> :ok
    end

    send(main, {:done, loop(t, n, ops, seed, 0)})
  end

  defp loop(_t, _n, 0, _x, bad), do: bad

  defp loop(t, n, k, x, bad) do
    x = rem(x * 48271, 2_147_483_647)

    if :ets.update_counter(t, rem(x, n), 1) > 0 do
      loop(t, n, k - 1, x, bad)
    else
      loop(t, n, k - 1, x, bad + 1)
    end
  end

  defp sum(t), do: :ets.foldl(fn {_k, v}, acc -> acc + v end, 0, t)

  def main(args) do
    n =
      case args do
        [] -> 1_000_000
        [s | _] -> String.to_integer(s)
      end

    if n <= 0, do: fail("N must be positive")
    ops = 10 * n
    t = :ets.new(:bench, [:set, :public, read_concurrency: true, write_concurrency: true])
    fill(t, 0, n)

    main = self()
    workers = for i <- 1..2, do: spawn_link(__MODULE__, :worker, [t, n, div(ops, 2), i * 7919 + 1, main])
    t0 = :erlang.monotonic_time(:nanosecond)
    Enum.each(workers, &send(&1, :go))

    bad =
      Enum.reduce(workers, 0, fn _, acc ->
        receive do
          {:done, b} -> acc + b
        after
          600_000 -> fail("timeout waiting for the workers")
        end
      end)

    t1 = :erlang.monotonic_time(:nanosecond)
    total = div(ops, 2) * 2
    s = sum(t)
    if bad != 0 or s != total, do: fail("counters add up to #{s}, expected #{total}")
    rate = total / ((t1 - t0) / 1.0e9)
    IO.puts("METRIC name=ets_write value=#{:erlang.float_to_binary(rate, decimals: 3)}")
  end
end

EtsWrite.main(System.argv())
