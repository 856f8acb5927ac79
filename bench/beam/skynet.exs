# skynet, Elixir/BEAM twin.
#
# The classic skynet benchmark: a tree of processes with 10 children per node
# and LEAVES leaves (a power of 10, default 1,000,000); each leaf sends its
# number to its parent, each inner node sums its children's answers and
# sends the sum up. The root's answer must be LEAVES*(LEAVES-1)/2
# (499999500000 for the default). Metric: wall-clock milliseconds.
#
# Run: elixir --erl "+P 10000000 +S 2:2" bench/beam/skynet.exs [LEAVES=1000000]
defmodule Skynet do
  @fanout 10

  def skynet(parent, num, 1), do: send(parent, num)

  def skynet(parent, num, size) do
    sub = div(size, @fanout)
    spawn_children(0, num, sub)
    send(parent, collect(@fanout, 0))
  end

  defp spawn_children(@fanout, _num, _sub), do: :ok

  defp spawn_children(i, num, sub) do
    spawn(__MODULE__, :skynet, [self(), num + i * sub, sub])
    spawn_children(i + 1, num, sub)
  end

  defp collect(0, acc), do: acc

  defp collect(k, acc) do
    receive do
      x -> collect(k - 1, acc + x)
    end
  end

  def fail(msg) do
    IO.puts(:stderr, "error: " <> msg)
    System.halt(1)
  end

  defp power_of_fanout?(1), do: true

  defp power_of_fanout?(n) when n > 1 and rem(n, @fanout) == 0,
    do: power_of_fanout?(div(n, @fanout))

  defp power_of_fanout?(_), do: false

  def main(args) do
    leaves =
      case args do
        [] -> 1_000_000
        [s | _] -> String.to_integer(s)
      end

    unless power_of_fanout?(leaves), do: fail("LEAVES must be a power of 10, got #{leaves}")
    expected = div(leaves * (leaves - 1), 2)

    t0 = :erlang.monotonic_time(:nanosecond)
    me = self()
    spawn(__MODULE__, :skynet, [me, 0, leaves])

    result =
      receive do
        x -> x
      after
        600_000 -> fail("timeout")
      end

    t1 = :erlang.monotonic_time(:nanosecond)
    if result != expected, do: fail("skynet result #{result}, expected #{expected}")
    ms = (t1 - t0) / 1.0e6
    IO.puts("METRIC name=skynet value=#{:erlang.float_to_binary(ms, decimals: 3)}")
  end
end

Skynet.main(System.argv())
