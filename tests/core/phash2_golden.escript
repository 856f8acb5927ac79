#!/usr/bin/env escript
%% Prints the golden table of tests/core/term_phash2_test.cpp: for each term below, the C++
%% expression that builds it as an otter::term, its Erlang text, and the values of
%% erlang:phash2/1, erlang:phash2/2 with range 2^32 and with range 7, as this Erlang computes
%% them. Run it with OTP 25 (`escript tests/core/phash2_golden.escript`) and paste the output
%% into the test; the test never runs Erlang.
-mode(compile).

main(_) ->
    lists:foreach(fun row/1, terms()).

terms() ->
    Ints = [0, 1, -1, 42, 255, 256, -255, 1000000, (1 bsl 27) - 1, 1 bsl 27, -(1 bsl 27),
            -(1 bsl 27) - 1, (1 bsl 31) - 1, 1 bsl 31, -(1 bsl 31), (1 bsl 32) - 1, 1 bsl 32,
            1 bsl 40, -(1 bsl 40), 123456789012345, (1 bsl 59) - 1, 1 bsl 59, -(1 bsl 59) - 1,
            (1 bsl 63) - 1, -(1 bsl 63)],
    Floats = [0.0, -0.0, 1.0, -1.0, 0.5, 3.14159, 1.0e100, -2.5e-300, 1.7976931348623157e308,
              5.0e-324, 123456.789],
    Atoms = [a, ok, nil, true, false, undefined, '', 'with space', 'Elixir.PartitionSupervisor',
             'Elixir.MyApp.Worker', 'abcdefghijklmnopqrstuvwxyz0123456789',
             list_to_atom("h" ++ [233] ++ "llo"), list_to_atom([252, 241, 239]),
             list_to_atom([26085, 26412])],
    Binaries = [<<>>, <<"x">>, <<"hello">>, <<"hello world">>, <<"hello world!">>,
                <<"hello world!!">>, <<"0123456789abcdefghijklmn">>,
                <<"0123456789abcdefghijklmno">>, <<0, 255, 128>>, <<"h", 233/utf8, "llo">>,
                binary:copy(<<"otter">>, 20)],
    Tuples = [{}, {a}, {a, 1, <<"x">>}, {{}}, {[]}, {1, {2, {3}}}, {ok, <<"value">>},
              {0.0}, {-0.0}, {a, b, c, d, e, f, g, h, i, j}],
    Lists = [[], [a], "abc", "abcd", "abcde", "hello world", [0], [255], [256], [-1],
             [1, 2, a, 3], [a, 1, 2, 3, 4, 5, b], [-1, 1], [[]], [[1, 2], [3]], [1.0], [-0.0],
             lists:seq(250, 270), [<<"x">>, 1], [{a, 1}, {b, 2}], [nil], [[], []],
             [1, 2, 3, 4, 256, 5, 6, 7, 8, 9]],
    Big = maps:from_list([{I, I * I} || I <- lists:seq(1, 40)]),
    Mixed = maps:from_list([{integer_to_binary(I), {I, [I]}} || I <- lists:seq(1, 33)]),
    Maps = [#{}, #{a => 1}, #{a => 1, b => 2}, #{1 => a, 1.0 => b}, #{<<"k">> => [1, 2]},
            #{a => #{b => c}}, #{[] => []}, #{{1, 2} => "ab"}, Big, Mixed,
            #{'__struct__' => 'Elixir.RuntimeError', message => <<"boom">>},
            #{'__struct__' => 'Elixir.Range', first => 1, last => 10, step => 1}],
    Pids = [c:pid(0, 0, 0), c:pid(0, 5, 0), c:pid(0, 80, 3), c:pid(0, 32767, 7)],
    Refs = [list_to_ref("#Ref<0.0.0.7>"), list_to_ref("#Ref<0.0.0.262143>")],
    Compound = [{a, [1, 2], #{k => <<"v">>}, 1.5, -7}, [{a, #{b => [c]}}],
                {user, 42, <<"alice">>}, [{key, <<"value">>}, {other, [1 | [2]]}]],
    Ints ++ Floats ++ Atoms ++ Binaries ++ Tuples ++ Lists ++ Maps ++ Pids ++ Refs ++ Compound.

row(T) ->
    io:format("    {~s, R\"erl(~s)erl\", ~wU, ~wU, ~wU},~n",
              [cpp(T), ascii(io_lib:format("~w", [T])), erlang:phash2(T),
               erlang:phash2(T, 1 bsl 32), erlang:phash2(T, 7)]).

%% The Erlang text in ASCII: other characters as \x{...}.
ascii(Text) ->
    [if C < 127 -> C; true -> io_lib:format("\\x{~.16B}", [C]) end
     || C <- lists:flatten(Text)].

cpp(I) when I =:= -(1 bsl 63) -> "term(std::numeric_limits<std::int64_t>::min())";
cpp(I) when is_integer(I) -> io_lib:format("term(~wLL)", [I]);
cpp(F) when is_float(F) -> io_lib:format("term(~s)", [float_to_list(F, [short])]);
cpp(A) when is_atom(A) -> io_lib:format("term(atom(~s))", [quote(atom_to_binary(A, utf8))]);
cpp(B) when is_binary(B) -> io_lib:format("term(std::string_view(~s, ~w))", [quote(B), byte_size(B)]);
cpp(T) when is_tuple(T) -> ["term::tuple({", join([cpp(E) || E <- tuple_to_list(T)]), "})"];
cpp(L) when is_list(L) -> ["term::list({", join([cpp(E) || E <- L]), "})"];
cpp(#{'__struct__' := Module} = M) ->
    <<"Elixir.", Name/binary>> = atom_to_binary(Module, utf8),
    Fields = [["{atom(", quote(atom_to_binary(K, utf8)), "), ", cpp(V), "}"]
              || {K, V} <- lists:sort(maps:to_list(maps:remove('__struct__', M)))],
    ["term::structure(", quote(Name), ", {", join(Fields), "})"];
cpp(M) when is_map(M) ->
    ["term::map({", join([["{", cpp(K), ", ", cpp(V), "}"] || {K, V} <- lists:sort(maps:to_list(M))]), "})"];
cpp(P) when is_pid(P) ->
    [_, N, S] = string:lexemes(pid_to_list(P), "<.>"),
    io_lib:format("term(pid(~s, ~s))", [N, S]);
cpp(R) when is_reference(R) ->
    ["0", "0", "0", Id] = string:lexemes(ref_to_list(R) -- "#Ref", "<.>"),
    io_lib:format("term(ref(~sULL))", [Id]).

join(Parts) -> lists:join(", ", Parts).

%% A C++ string literal of the bytes: printable ASCII as is, the rest as octal escapes (which
%% never swallow a following digit, being three digits long).
quote(Bin) ->
    [$", [esc(C) || <<C>> <= Bin], $"].

esc($") -> "\\\"";
esc($\\) -> "\\\\";
esc(C) when C >= 32, C < 127 -> C;
esc(C) -> io_lib:format("\\~3.8.0b", [C]).
