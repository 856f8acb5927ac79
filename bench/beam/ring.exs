# ring, Elixir/BEAM twin.
#
# PROCS processes (default 10,000) in a ring; a token (a countdown integer)
# goes around AROUND times (default 1,000), i.e. HOPS = AROUND * PROCS
# process-to-process sends (10M by default). Each process forwards the token
# decremented by one; the process that receives 0 reports its ring index.
# Verification: the token made exactly HOPS hops (the countdown reached 0 at
# index rem(HOPS, PROCS), and the per-process receive counts, collected after
# the clock stops, add up to HOPS + 1 with the driver's initial send). Metric: hops per second (token passing only; the
# ring is built before the clock starts).
#
# Run: elixir --erl "+P 10000000 +S 2:2" bench/beam/ring.exs [AROUND=1000 [PROCS=10000]]
defmodule Ring do
  def start(idx, main) do
    receive do
      {:next, next} -> loop(idx, next, main, 0)
    end
  end

  # `seen` counts the tokens this process received (reported on :stop).
  defp loop(idx, next, main, seen) do
    receive do
      0 ->
        send(main, {:done, idx})
        loop(idx, next, main, seen + 1)

      k when is_integer(k) ->
        send(next, k - 1)
        loop(idx, next, main, seen + 1)

      :stop ->
        send(main, {:seen, seen})
    end
  end

  defp sum_seen(0, acc), do: acc

  defp sum_seen(k, acc) do
    receive do
      {:seen, n} -> sum_seen(k - 1, acc + n)
    after
      600_000 -> fail("timeout collecting counts")
    end
  end

  def fail(msg) do
    IO.puts(:stderr, "error: " <> msg)
    System.halt(1)
  end

  def main(args) do
    {around, procs} =
      case args do
        [] -> {1000, 10_000}
        [a] -> {String.to_integer(a), 10_000}
        [a, p | _] -> {String.to_integer(a), String.to_integer(p)}
      end

    if around <= 0 or procs <= 0, do: fail("sizes must be positive")
    hops = around * procs
    me = self()
    nodes = for i <- 0..(procs - 1), do: spawn(__MODULE__, :start, [i, me])
    tuple = List.to_tuple(nodes)
    for i <- 0..(procs - 1), do: send(elem(tuple, i), {:next, elem(tuple, rem(i + 1, procs))})

    t0 = :erlang.monotonic_time(:nanosecond)
    send(elem(tuple, 0), hops)

    idx =
      receive do
        {:done, idx} -> idx
      after
        600_000 -> fail("timeout")
      end

    t1 = :erlang.monotonic_time(:nanosecond)
    Enum.each(nodes, &send(&1, :stop))
    # Every process counted the tokens it received: HOPS forwards plus the
    # initial injection by the driver.
    received = sum_seen(procs, 0)

    if idx != rem(hops, procs),
      do: fail("token stopped at index #{idx}, expected #{rem(hops, procs)}")

    if received != hops + 1,
      do: fail("token made #{received - 1} hops, expected #{hops}")

    secs = (t1 - t0) / 1.0e9
    IO.puts("METRIC name=ring value=#{:erlang.float_to_binary(hops / secs, decimals: 3)}")
  end
end

Ring.main(System.argv())
