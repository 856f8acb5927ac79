# ets_read, Elixir/BEAM twin.
#
# A :set table (public, read_concurrency and write_concurrency) is filled with N objects
# {k, k} for k in 0..N-1; ets_entry_bytes = (RSS after filling - RSS before creating the table)
# / N. Then 2 worker processes (one per scheduler) each do OPS/2 lookups of random keys (each
# with its own MINSTD generator, the same as the Otter program's) and check every result.
# ets_read = lookups per second, timed from releasing the (already spawned) workers to the last
# one's report. OPS = 10 * N.
#
# Run: elixir --erl "+P 10000000 +S 2:2" bench/beam/ets_read.exs [N=1000000]
defmodule EtsRead do
  def rss_bytes do
    status = File.read!("/proc/self/status")
    [_, kb] = Regex.run(~r/VmRSS:\s+(\d+)\s+kB/, status)
    String.to_integer(kb) * 1024
  end

  def fail(msg) do
    IO.puts(:stderr, "error: " <> msg)
    System.halt(1)
  end

  defp fill(_t, n, n), do: :ok

  defp fill(t, k, n) do
    :ets.insert(t, {k, k})
    fill(t, k + 1, n)
  end

  # MINSTD: x' = x * 48271 mod (2^31 - 1); products stay below 2^47 (small integers).
  def worker(t, n, ops, seed, main) do
    receive do
      :go -> :ok
    end

    send(main, {:done, loop(t, n, ops, seed, 0)})
  end

  defp loop(_t, _n, 0, _x, bad), do: bad

  defp loop(t, n, k, x, bad) do
    x = rem(x * 48271, 2_147_483_647)
    key = rem(x, n)

    case :ets.lookup(t, key) do
      [{^key, ^key}] -> loop(t, n, k - 1, x, bad)
      _ -> loop(t, n, k - 1, x, bad + 1)
    end
  end

  def main(args) do
    n =
      case args do
        [] -> 1_000_000
        [s | _] -> String.to_integer(s)
      end

    if n <= 0, do: fail("N must be positive")
    ops = 10 * n
    :erlang.garbage_collect()
    rss0 = rss_bytes()
    t = :ets.new(:bench, [:set, :public, read_concurrency: true, write_concurrency: true])
    fill(t, 0, n)
    :erlang.garbage_collect()
    rss1 = rss_bytes()
    if :ets.info(t, :size) != n, do: fail("the table has #{:ets.info(t, :size)} objects")

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
    if bad != 0, do: fail("#{bad} lookups returned a wrong result")
    rate = div(ops, 2) * 2 / ((t1 - t0) / 1.0e9)
    IO.puts(:stderr, "info: :ets.info memory #{:ets.info(t, :memory) * :erlang.system_info(:wordsize) / n} bytes/object")
    IO.puts("METRIC name=ets_read value=#{:erlang.float_to_binary(rate, decimals: 3)}")
    IO.puts("METRIC name=ets_entry_bytes value=#{:erlang.float_to_binary((rss1 - rss0) / n, decimals: 3)}")
  end
end

EtsRead.main(System.argv())
