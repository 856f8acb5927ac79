# registry_lookup, Elixir/BEAM twin.
#
# A unique Registry of N names (default 1,000,000) with 4 partitions: 1000
# owner processes register N/1000 integer keys each (value = the key); then 8
# reader processes each call Registry.lookup(Bench, key) M times (default
# 1,000,000) on pseudo-random keys (Park-Miller, as the Otter program).
# Metrics: registry_lookup = 8 * M / lookup phase (lookups per second),
# registry_bytes = (RSS after the registrations - RSS with the owners started,
# before) / N, read from /proc/self/status as in spawn_1m. Also printed, not
# compared: registry_ets_bytes, the growth of :erlang.memory(:ets) per entry
# (the registry's ETS tables only). Verified: Registry.count == N, and every
# lookup finds its key with the value registered.
#
# Run: elixir --erl "+P 10000000 +S 2:2" bench/beam/registry_lookup.exs [N=1000000 [M=1000000]]
defmodule RegistryLookup do
  @owners 1000
  @readers 8

  def rss_bytes do
    status = File.read!("/proc/self/status")
    [_, kb] = Regex.run(~r/VmRSS:\s+(\d+)\s+kB/, status)
    String.to_integer(kb) * 1024
  end

  def fail(msg) do
    IO.puts(:stderr, "error: " <> msg)
    System.halt(1)
  end

  def owner(parent, first, count) do
    receive do
      :go -> :ok
    end

    register_range(first, first + count)
    send(parent, :registered)

    # keeps its keys until the end
    receive do
      :go -> :ok
    end
  end

  defp register_range(k, stop) when k >= stop, do: :ok

  defp register_range(k, stop) do
    case Registry.register(Bench, k, k) do
      {:ok, _} -> register_range(k + 1, stop)
      other -> fail("register #{k}: #{inspect(other)}")
    end
  end

  def reader(parent, n, m, seed), do: send(parent, {:done, lookups(n, m, seed, 0)})

  defp lookups(_n, 0, _x, found), do: found

  defp lookups(n, left, x, found) do
    x = rem(x * 48271, 2_147_483_647)
    key = rem(x, n)

    found =
      case Registry.lookup(Bench, key) do
        [{_pid, ^key}] -> found + 1
        _ -> found
      end

    lookups(n, left - 1, x, found)
  end

  def main(args) do
    {n, m} =
      case args do
        [] -> {1_000_000, 1_000_000}
        [a] -> {String.to_integer(a), 1_000_000}
        [a, b | _] -> {String.to_integer(a), String.to_integer(b)}
      end

    if n < @owners, do: fail("N must be at least #{@owners}")
    if m <= 0, do: fail("M must be positive")
    {:ok, _} = Registry.start_link(keys: :unique, name: Bench, partitions: 4)
    parent = self()
    per = div(n, @owners)

    owners =
      for o <- 0..(@owners - 1) do
        count = if o == @owners - 1, do: n - per * o, else: per
        spawn(fn -> owner(parent, per * o, count) end)
      end

    :erlang.garbage_collect()
    rss0 = rss_bytes()
    ets0 = :erlang.memory(:ets)
    for p <- owners, do: send(p, :go)
    for _ <- owners, do: receive(do: (:registered -> :ok))
    rss1 = rss_bytes()
    ets1 = :erlang.memory(:ets)
    count = Registry.count(Bench)
    if count != n, do: fail("count #{count}, expected #{n}")

    t0 = :erlang.monotonic_time(:nanosecond)
    for r <- 1..@readers, do: spawn(fn -> reader(parent, n, m, r) end)
    found = Enum.sum(for _ <- 1..@readers, do: receive(do: ({:done, f} -> f)))
    t1 = :erlang.monotonic_time(:nanosecond)
    if found != @readers * m, do: fail("lookups found #{found} of #{@readers * m}")
    for p <- owners, do: send(p, :go)

    secs = (t1 - t0) / 1.0e9
    fmt = fn v -> :erlang.float_to_binary(v / 1, decimals: 3) end
    IO.puts("METRIC name=registry_lookup value=#{fmt.(@readers * m / secs)}")
    IO.puts("METRIC name=registry_bytes value=#{fmt.((rss1 - rss0) / n)}")
    IO.puts("METRIC name=registry_ets_bytes value=#{fmt.((ets1 - ets0) / n)}")
  end
end

RegistryLookup.main(System.argv())
