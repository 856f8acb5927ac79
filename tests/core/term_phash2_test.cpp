// Tests for otter::phash2 (otter/core/term_hash.hpp): golden values of :erlang.phash2/1,2
// printed by OTP 25 (erts 13.1.5) for terms of every kind otter::term holds.
//
// The table comes from tests/core/phash2_golden.escript (run with OTP 25's escript): for each
// term, the C++ expression building it, its Erlang text, phash2(t), phash2(t, 2^32) and
// phash2(t, 7). A struct is the map %{__struct__: Module, ...} it is in Elixir.

#include "otter/core/atom.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/ref.hpp"
#include "otter/core/term.hpp"
#include "otter/core/term_hash.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

namespace otter {
namespace {

struct golden {
  term value;
  std::string_view erlang;  // the term as Erlang writes it (~w)
  std::uint32_t phash2;     // erlang:phash2(T)
  std::uint32_t full;       // erlang:phash2(T, 1 bsl 32)
  std::uint32_t mod7;       // erlang:phash2(T, 7)
};

std::vector<golden> golden_table() {
  return {
      {term(0LL), R"erl(0)erl", 88723725U, 3175731469U, 1U},
      {term(1LL), R"erl(1)erl", 2614250U, 539485162U, 6U},
      {term(-1LL), R"erl(-1)erl", 44071773U, 1117813597U, 5U},
      {term(42LL), R"erl(42)erl", 30328728U, 701417368U, 1U},
      {term(255LL), R"erl(255)erl", 44734653U, 715823293U, 3U},
      {term(256LL), R"erl(256)erl", 37021655U, 3929335767U, 0U},
      {term(-255LL), R"erl(-255)erl", 124239457U, 661110369U, 3U},
      {term(1000000LL), R"erl(1000000)erl", 109607396U, 3599268324U, 1U},
      {term(134217727LL), R"erl(134217727)erl", 112602999U, 4273352567U, 1U},
      {term(134217728LL), R"erl(134217728)erl", 12354923U, 2562491755U, 5U},
      {term(-134217728LL), R"erl(-134217728)erl", 69672967U, 874979335U, 6U},
      {term(-134217729LL), R"erl(-134217729)erl", 76739502U, 1418916782U, 3U},
      {term(2147483647LL), R"erl(2147483647)erl", 124127543U, 2137393463U, 2U},
      {term(2147483648LL), R"erl(2147483648)erl", 14246037U, 2832818325U, 1U},
      {term(-2147483648LL), R"erl(-2147483648)erl", 62030289U, 1672643025U, 4U},
      {term(4294967295LL), R"erl(4294967295)erl", 95053261U, 2108319181U, 3U},
      {term(4294967296LL), R"erl(4294967296)erl", 95057355U, 2108323275U, 2U},
      {term(1099511627776LL), R"erl(1099511627776)erl", 13893919U, 282329375U, 6U},
      {term(-1099511627776LL), R"erl(-1099511627776)erl", 48180921U, 2464100025U, 2U},
      {term(123456789012345LL), R"erl(123456789012345)erl", 61424568U, 3014214584U, 3U},
      {term(576460752303423487LL), R"erl(576460752303423487)erl", 27520264U, 1638133000U, 0U},
      {term(576460752303423488LL), R"erl(576460752303423488)erl", 26969617U, 2442888721U, 0U},
      {term(-576460752303423489LL), R"erl(-576460752303423489)erl", 36462311U, 2855034599U, 4U},
      {term(9223372036854775807LL), R"erl(9223372036854775807)erl", 28179613U, 2712534173U, 6U},
      {term(std::numeric_limits<std::int64_t>::min()), R"erl(-9223372036854775808)erl", 126213383U,
       1736826119U, 0U},
      {term(0.0), R"erl(0.0)erl", 20875736U, 423528920U, 3U},
      {term(-0.0), R"erl(-0.0)erl", 20875736U, 423528920U, 3U},
      {term(1.0), R"erl(1.0)erl", 77147068U, 3029937084U, 6U},
      {term(-1.0), R"erl(-1.0)erl", 103700184U, 1043224280U, 0U},
      {term(0.5), R"erl(0.5)erl", 55691757U, 4216441325U, 5U},
      {term(3.14159), R"erl(3.14159)erl", 4008880U, 1211968432U, 3U},
      {term(1.0e100), R"erl(1.0e100)erl", 52341048U, 186558776U, 5U},
      {term(-2.5e-300), R"erl(-2.5e-300)erl", 5975345U, 4032507185U, 0U},
      {term(1.7976931348623157e308), R"erl(1.7976931348623157e308)erl", 22278810U, 4183028378U, 4U},
      {term(5.0e-324), R"erl(5.0e-324)erl", 107647591U, 3731526247U, 1U},
      {term(123456.789), R"erl(123456.789)erl", 78313598U, 2225797246U, 1U},
      {term(atom("a")), R"erl(a)erl", 97U, 97U, 6U},
      {term(atom("ok")), R"erl(ok)erl", 1883U, 1883U, 0U},
      {term(atom("nil")), R"erl(nil)erl", 29948U, 29948U, 2U},
      {term(atom("true")), R"erl(true)erl", 506293U, 506293U, 4U},
      {term(atom("false")), R"erl(false)erl", 7111573U, 7111573U, 0U},
      {term(atom("undefined")), R"erl(undefined)erl", 45914356U, 180132084U, 6U},
      {term(atom("")), R"erl('')erl", 0U, 0U, 0U},
      {term(atom("with space")), R"erl('with space')erl", 41781045U, 175998773U, 6U},
      {term(atom("Elixir.PartitionSupervisor")), R"erl('Elixir.PartitionSupervisor')erl",
       125441362U, 125441362U, 4U},
      {term(atom("Elixir.MyApp.Worker")), R"erl('Elixir.MyApp.Worker')erl", 79431298U, 213649026U,
       3U},
      {term(atom("abcdefghijklmnopqrstuvwxyz0123456789")),
       R"erl(abcdefghijklmnopqrstuvwxyz0123456789)erl", 108887817U, 108887817U, 3U},
      {term(atom("h\303\251llo")), R"erl(h\x{E9}llo)erl", 7799599U, 7799599U, 3U},
      {term(atom("\303\274\303\261\303\257")), R"erl(\x{FC}\x{F1}\x{EF})erl", 68607U, 68607U, 0U},
      {term(atom("\346\227\245\346\234\254")), R"erl('\x{65E5}\x{672C}')erl", 117588076U,
       251805804U, 5U},
      {term(std::string_view("", 0)), R"erl(<<>>)erl", 13708901U, 147926629U, 4U},
      {term(std::string_view("x", 1)), R"erl(<<120>>)erl", 125354872U, 1735967608U, 4U},
      {term(std::string_view("hello", 5)), R"erl(<<104,101,108,108,111>>)erl", 47480723U,
       1658093459U, 1U},
      {term(std::string_view("hello world", 11)),
       R"erl(<<104,101,108,108,111,32,119,111,114,108,100>>)erl", 33550279U, 2583687111U, 5U},
      {term(std::string_view("hello world!", 12)),
       R"erl(<<104,101,108,108,111,32,119,111,114,108,100,33>>)erl", 25699699U, 965223795U, 4U},
      {term(std::string_view("hello world!!", 13)),
       R"erl(<<104,101,108,108,111,32,119,111,114,108,100,33,33>>)erl", 2064796U, 2552201628U, 4U},
      {term(std::string_view("0123456789abcdefghijklmn", 24)),
       R"erl(<<48,49,50,51,52,53,54,55,56,57,97,98,99,100,101,102,103,104,105,106,107,108,109,110>>)erl",
       13919518U, 4040451358U, 6U},
      {term(std::string_view("0123456789abcdefghijklmno", 25)),
       R"erl(<<48,49,50,51,52,53,54,55,56,57,97,98,99,100,101,102,103,104,105,106,107,108,109,110,111>>)erl",
       116510887U, 1727123623U, 1U},
      {term(std::string_view("\000\377\200", 3)), R"erl(<<0,255,128>>)erl", 88930461U, 2773285021U,
       3U},
      {term(std::string_view("h\303\251llo", 6)), R"erl(<<104,195,169,108,108,111>>)erl", 65360587U,
       3823456971U, 5U},
      {term(std::string_view("otterotterotterotterotterotterotterotterotterotterotterotterotterotte"
                             "rotterotterotterotterotterotter",
                             100)),
       R"erl(<<111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114,111,116,116,101,114>>)erl",
       85378226U, 2903950514U, 3U},
      {term::tuple({}), R"erl({})erl", 87486268U, 221703996U, 3U},
      {term::tuple({term(atom("a"))}), R"erl({a})erl", 35332806U, 2853905094U, 5U},
      {term::tuple({term(atom("a")), term(1LL), term(std::string_view("x", 1))}),
       R"erl({a,1,<<120>>})erl", 112690945U, 246908673U, 4U},
      {term::tuple({term::tuple({})}), R"erl({{}})erl", 17560713U, 2165044361U, 4U},
      {term::tuple({term::list({})}), R"erl({[]})erl", 30249041U, 1775079505U, 3U},
      {term::tuple({term(1LL), term::tuple({term(2LL), term::tuple({term(3LL)})})}),
       R"erl({1,{2,{3}}})erl", 96079695U, 3585740623U, 3U},
      {term::tuple({term(atom("ok")), term(std::string_view("value", 5))}),
       R"erl({ok,<<118,97,108,117,101>>})erl", 12773029U, 3368216229U, 0U},
      {term::tuple({term(0.0)}), R"erl({0.0})erl", 17352512U, 688441152U, 0U},
      {term::tuple({term(-0.0)}), R"erl({-0.0})erl", 17352512U, 688441152U, 0U},
      {term::tuple({term(atom("a")), term(atom("b")), term(atom("c")), term(atom("d")),
                    term(atom("e")), term(atom("f")), term(atom("g")), term(atom("h")),
                    term(atom("i")), term(atom("j"))}),
       R"erl({a,b,c,d,e,f,g,h,i,j})erl", 116216483U, 4276966051U, 1U},
      {term::list({}), R"erl([])erl", 113427502U, 3468870702U, 3U},
      {term::list({term(atom("a"))}), R"erl([a])erl", 23864141U, 1634476877U, 5U},
      {term::list({term(97LL), term(98LL), term(99LL)}), R"erl([97,98,99])erl", 117343302U,
       519996486U, 2U},
      {term::list({term(97LL), term(98LL), term(99LL), term(100LL)}), R"erl([97,98,99,100])erl",
       7922743U, 1752753207U, 2U},
      {term::list({term(97LL), term(98LL), term(99LL), term(100LL), term(101LL)}),
       R"erl([97,98,99,100,101])erl", 71169904U, 2487089008U, 5U},
      {term::list({term(104LL), term(101LL), term(108LL), term(108LL), term(111LL), term(32LL),
                   term(119LL), term(111LL), term(114LL), term(108LL), term(100LL)}),
       R"erl([104,101,108,108,111,32,119,111,114,108,100])erl", 124727853U, 2943300141U, 5U},
      {term::list({term(0LL)}), R"erl([0])erl", 10493030U, 3768589414U, 2U},
      {term::list({term(255LL)}), R"erl([255])erl", 46818295U, 717906935U, 4U},
      {term::list({term(256LL)}), R"erl([256])erl", 73608398U, 1684221134U, 1U},
      {term::list({term(-1LL)}), R"erl([-1])erl", 42412580U, 3800508964U, 0U},
      {term::list({term(1LL), term(2LL), term(atom("a")), term(3LL)}), R"erl([1,2,a,3])erl",
       39899330U, 1247858882U, 4U},
      {term::list({term(atom("a")), term(1LL), term(2LL), term(3LL), term(4LL), term(5LL),
                   term(atom("b"))}),
       R"erl([a,1,2,3,4,5,b])erl", 85903822U, 1830734286U, 3U},
      {term::list({term(-1LL), term(1LL)}), R"erl([-1,1])erl", 56930102U, 3949244214U, 6U},
      {term::list({term::list({})}), R"erl([[]])erl", 96416884U, 499070068U, 0U},
      {term::list({term::list({term(1LL), term(2LL)}), term::list({term(3LL)})}),
       R"erl([[1,2],[3]])erl", 118504057U, 1192245881U, 1U},
      {term::list({term(1.0)}), R"erl([1.0])erl", 19126044U, 2837698332U, 0U},
      {term::list({term(-0.0)}), R"erl([-0.0])erl", 33689149U, 167906877U, 5U},
      {term::list({term(250LL), term(251LL), term(252LL), term(253LL), term(254LL), term(255LL),
                   term(256LL), term(257LL), term(258LL), term(259LL), term(260LL), term(261LL),
                   term(262LL), term(263LL), term(264LL), term(265LL), term(266LL), term(267LL),
                   term(268LL), term(269LL), term(270LL)}),
       R"erl([250,251,252,253,254,255,256,257,258,259,260,261,262,263,264,265,266,267,268,269,270])erl",
       23661987U, 2976452003U, 0U},
      {term::list({term(std::string_view("x", 1)), term(1LL)}), R"erl([<<120>>,1])erl", 124616914U,
       1869447378U, 1U},
      {term::list(
           {term::tuple({term(atom("a")), term(1LL)}), term::tuple({term(atom("b")), term(2LL)})}),
       R"erl([{a,1},{b,2}])erl", 122516567U, 1867347031U, 4U},
      {term::list({term(atom("nil"))}), R"erl([nil])erl", 129621110U, 666492022U, 0U},
      {term::list({term::list({}), term::list({})}), R"erl([[],[]])erl", 67164138U, 67164138U, 6U},
      {term::list({term(1LL), term(2LL), term(3LL), term(4LL), term(256LL), term(5LL), term(6LL),
                   term(7LL), term(8LL), term(9LL)}),
       R"erl([1,2,3,4,256,5,6,7,8,9])erl", 99896457U, 1844726921U, 2U},
      {term::map({}), R"erl(#{})erl", 39679005U, 844985373U, 1U},
      {term::map({{term(atom("a")), term(1LL)}}), R"erl(#{a => 1})erl", 59617982U, 1401795262U, 0U},
      {term::map({{term(atom("a")), term(1LL)}, {term(atom("b")), term(2LL)}}),
       R"erl(#{a => 1,b => 2})erl", 103634663U, 1982682855U, 6U},
      {term::map({{term(1LL), term(atom("a"))}, {term(1.0), term(atom("b"))}}),
       R"erl(#{1 => a,1.0 => b})erl", 82145120U, 2632281952U, 6U},
      {term::map({{term(std::string_view("k", 1)), term::list({term(1LL), term(2LL)})}}),
       R"erl(#{<<107>> => [1,2]})erl", 85459531U, 85459531U, 3U},
      {term::map({{term(atom("a")), term::map({{term(atom("b")), term(atom("c"))}})}}),
       R"erl(#{a => #{b => c}})erl", 126815590U, 3616476518U, 4U},
      {term::map({{term::list({}), term::list({})}}), R"erl(#{[] => []})erl", 612558U, 134830286U,
       3U},
      {term::map({{term::tuple({term(1LL), term(2LL)}), term::list({term(97LL), term(98LL)})}}),
       R"erl(#{{1,2} => [97,98]})erl", 44822881U, 4205572449U, 1U},
      {term::map(
           {{term(1LL), term(1LL)},     {term(2LL), term(4LL)},     {term(3LL), term(9LL)},
            {term(4LL), term(16LL)},    {term(5LL), term(25LL)},    {term(6LL), term(36LL)},
            {term(7LL), term(49LL)},    {term(8LL), term(64LL)},    {term(9LL), term(81LL)},
            {term(10LL), term(100LL)},  {term(11LL), term(121LL)},  {term(12LL), term(144LL)},
            {term(13LL), term(169LL)},  {term(14LL), term(196LL)},  {term(15LL), term(225LL)},
            {term(16LL), term(256LL)},  {term(17LL), term(289LL)},  {term(18LL), term(324LL)},
            {term(19LL), term(361LL)},  {term(20LL), term(400LL)},  {term(21LL), term(441LL)},
            {term(22LL), term(484LL)},  {term(23LL), term(529LL)},  {term(24LL), term(576LL)},
            {term(25LL), term(625LL)},  {term(26LL), term(676LL)},  {term(27LL), term(729LL)},
            {term(28LL), term(784LL)},  {term(29LL), term(841LL)},  {term(30LL), term(900LL)},
            {term(31LL), term(961LL)},  {term(32LL), term(1024LL)}, {term(33LL), term(1089LL)},
            {term(34LL), term(1156LL)}, {term(35LL), term(1225LL)}, {term(36LL), term(1296LL)},
            {term(37LL), term(1369LL)}, {term(38LL), term(1444LL)}, {term(39LL), term(1521LL)},
            {term(40LL), term(1600LL)}}),
       R"erl(#{16 => 256,18 => 324,5 => 25,19 => 361,27 => 729,35 => 1225,10 => 100,24 => 576,36 => 1296,4 => 16,21 => 441,22 => 484,17 => 289,3 => 9,8 => 64,1 => 1,7 => 49,2 => 4,14 => 196,15 => 225,20 => 400,40 => 1600,13 => 169,38 => 1444,6 => 36,28 => 784,25 => 625,34 => 1156,32 => 1024,9 => 81,37 => 1369,11 => 121,31 => 961,26 => 676,39 => 1521,30 => 900,29 => 841,23 => 529,12 => 144,33 => 1089})erl",
       37357662U, 708446302U, 4U},
      {term::map(
           {{term(std::string_view("1", 1)), term::tuple({term(1LL), term::list({term(1LL)})})},
            {term(std::string_view("10", 2)), term::tuple({term(10LL), term::list({term(10LL)})})},
            {term(std::string_view("11", 2)), term::tuple({term(11LL), term::list({term(11LL)})})},
            {term(std::string_view("12", 2)), term::tuple({term(12LL), term::list({term(12LL)})})},
            {term(std::string_view("13", 2)), term::tuple({term(13LL), term::list({term(13LL)})})},
            {term(std::string_view("14", 2)), term::tuple({term(14LL), term::list({term(14LL)})})},
            {term(std::string_view("15", 2)), term::tuple({term(15LL), term::list({term(15LL)})})},
            {term(std::string_view("16", 2)), term::tuple({term(16LL), term::list({term(16LL)})})},
            {term(std::string_view("17", 2)), term::tuple({term(17LL), term::list({term(17LL)})})},
            {term(std::string_view("18", 2)), term::tuple({term(18LL), term::list({term(18LL)})})},
            {term(std::string_view("19", 2)), term::tuple({term(19LL), term::list({term(19LL)})})},
            {term(std::string_view("2", 1)), term::tuple({term(2LL), term::list({term(2LL)})})},
            {term(std::string_view("20", 2)), term::tuple({term(20LL), term::list({term(20LL)})})},
            {term(std::string_view("21", 2)), term::tuple({term(21LL), term::list({term(21LL)})})},
            {term(std::string_view("22", 2)), term::tuple({term(22LL), term::list({term(22LL)})})},
            {term(std::string_view("23", 2)), term::tuple({term(23LL), term::list({term(23LL)})})},
            {term(std::string_view("24", 2)), term::tuple({term(24LL), term::list({term(24LL)})})},
            {term(std::string_view("25", 2)), term::tuple({term(25LL), term::list({term(25LL)})})},
            {term(std::string_view("26", 2)), term::tuple({term(26LL), term::list({term(26LL)})})},
            {term(std::string_view("27", 2)), term::tuple({term(27LL), term::list({term(27LL)})})},
            {term(std::string_view("28", 2)), term::tuple({term(28LL), term::list({term(28LL)})})},
            {term(std::string_view("29", 2)), term::tuple({term(29LL), term::list({term(29LL)})})},
            {term(std::string_view("3", 1)), term::tuple({term(3LL), term::list({term(3LL)})})},
            {term(std::string_view("30", 2)), term::tuple({term(30LL), term::list({term(30LL)})})},
            {term(std::string_view("31", 2)), term::tuple({term(31LL), term::list({term(31LL)})})},
            {term(std::string_view("32", 2)), term::tuple({term(32LL), term::list({term(32LL)})})},
            {term(std::string_view("33", 2)), term::tuple({term(33LL), term::list({term(33LL)})})},
            {term(std::string_view("4", 1)), term::tuple({term(4LL), term::list({term(4LL)})})},
            {term(std::string_view("5", 1)), term::tuple({term(5LL), term::list({term(5LL)})})},
            {term(std::string_view("6", 1)), term::tuple({term(6LL), term::list({term(6LL)})})},
            {term(std::string_view("7", 1)), term::tuple({term(7LL), term::list({term(7LL)})})},
            {term(std::string_view("8", 1)), term::tuple({term(8LL), term::list({term(8LL)})})},
            {term(std::string_view("9", 1)), term::tuple({term(9LL), term::list({term(9LL)})})}}),
       R"erl(#{<<49,57>> => {19,[19]},<<49>> => {1,[1]},<<57>> => {9,[9]},<<49,54>> => {16,[16]},<<49,51>> => {13,[13]},<<52>> => {4,[4]},<<50,52>> => {24,[24]},<<50,50>> => {22,[22]},<<50>> => {2,[2]},<<51,48>> => {30,[30]},<<50,57>> => {29,[29]},<<50,56>> => {28,[28]},<<51,50>> => {32,[32]},<<49,56>> => {18,[18]},<<49,48>> => {10,[10]},<<49,55>> => {17,[17]},<<49,49>> => {11,[11]},<<49,50>> => {12,[12]},<<50,51>> => {23,[23]},<<49,53>> => {15,[15]},<<50,49>> => {21,[21]},<<50,54>> => {26,[26]},<<51,51>> => {33,[33]},<<51>> => {3,[3]},<<54>> => {6,[6]},<<53>> => {5,[5]},<<51,49>> => {31,[31]},<<50,48>> => {20,[20]},<<56>> => {8,[8]},<<49,52>> => {14,[14]},<<50,53>> => {25,[25]},<<50,55>> => {27,[27]},<<55>> => {7,[7]}})erl",
       4534446U, 944058542U, 0U},
      {term::structure("RuntimeError", {{atom("message"), term(std::string_view("boom", 4))}}),
       R"erl(#{'__struct__' => 'Elixir.RuntimeError',message => <<98,111,111,109>>})erl", 68057547U,
       4228807115U, 1U},
      {term::structure(
           "Range",
           {{atom("first"), term(1LL)}, {atom("last"), term(10LL)}, {atom("step"), term(1LL)}}),
       R"erl(#{'__struct__' => 'Elixir.Range',first => 1,last => 10,step => 1})erl", 122472976U,
       2538392080U, 0U},
      {term(pid(0, 0)), R"erl(<0.0.0>)erl", 39589991U, 2858162279U, 0U},
      {term(pid(5, 0)), R"erl(<0.5.0>)erl", 131498469U, 1742111205U, 2U},
      {term(pid(80, 3)), R"erl(<0.80.3>)erl", 64285637U, 3956599749U, 4U},
      {term(pid(32767, 7)), R"erl(<0.32767.7>)erl", 91982837U, 3447426037U, 6U},
      {term(ref(7ULL)), R"erl(#Ref<0.0.0.7>)erl", 61647858U, 464301042U, 2U},
      {term(ref(262143ULL)), R"erl(#Ref<0.0.0.262143>)erl", 23929922U, 2976719938U, 3U},
      {term::tuple({term(atom("a")), term::list({term(1LL), term(2LL)}),
                    term::map({{term(atom("k")), term(std::string_view("v", 1))}}), term(1.5),
                    term(-7LL)}),
       R"erl({a,[1,2],#{k => <<118>>},1.5,-7})erl", 129109671U, 3887206055U, 5U},
      {term::list({term::tuple(
           {term(atom("a")), term::map({{term(atom("b")), term::list({term(atom("c"))})}})})}),
       R"erl([{a,#{b => [c]}}])erl", 25427847U, 1501822855U, 1U},
      {term::tuple({term(atom("user")), term(42LL), term(std::string_view("alice", 5))}),
       R"erl({user,42,<<97,108,105,99,101>>})erl", 129899072U, 4022213184U, 3U},
      {term::list({term::tuple({term(atom("key")), term(std::string_view("value", 5))}),
                   term::tuple({term(atom("other")), term::list({term(1LL), term(2LL)})})}),
       R"erl([{key,<<118,97,108,117,101>>},{other,[1,2]}])erl", 31903347U, 3253128819U, 3U},
  };
}

TEST(TermHashPhash2Test, MatchesOtp25OnEveryKindOfTerm) {
  const std::vector<golden> table = golden_table();
  ASSERT_GT(table.size(), 100U);
  for (const golden& g : table) {
    EXPECT_EQ(phash2(g.value), g.phash2) << g.erlang;
    EXPECT_EQ(phash2_32(g.value), g.full) << g.erlang;
    EXPECT_EQ(phash2(g.value, 7), g.mod7) << g.erlang;
  }
}

TEST(TermHashPhash2Test, TheRangeIsTheRemainderOfTheFullHash) {
  // phash2/2 is make_hash2 modulo the range, for any range up to 2^32 - 1.
  const term t = tuple(atom("a"), 1, "x");
  EXPECT_EQ(phash2(t), 112690945U);  // erlang:phash2({a,1,<<"x">>})
  EXPECT_EQ(phash2(t, 1), 0U);
  EXPECT_EQ(phash2(t, 4294967295U), phash2_32(t) % 4294967295U);
  EXPECT_EQ(phash2(t, 1U << 27), phash2(t));
}

TEST(TermHashPhash2Test, MapEntriesInAnyOrderHashAlike) {
  const term a = term::map({{atom("x"), 1}, {"y", 2.5}, {3, list(4)}});
  const term b = term::map({{3, list(4)}, {"y", 2.5}, {atom("x"), 1}});
  EXPECT_EQ(phash2_32(a), phash2_32(b));
}

TEST(TermHashPhash2Test, AStructNamedWithOrWithoutTheElixirPrefixHashesAsTheSameMap) {
  const term shortname =
      term::structure("Range", {{atom("first"), 1}, {atom("last"), 10}, {atom("step"), 1}});
  const term longname =
      term::structure("Elixir.Range", {{atom("first"), 1}, {atom("last"), 10}, {atom("step"), 1}});
  EXPECT_EQ(phash2(shortname), 122472976U);  // %Range{first: 1, last: 10, step: 1}
  EXPECT_EQ(phash2(longname), 122472976U);
}

TEST(TermHashPhash2Test, AnOpaqueHashesAsTheBinaryOfItsText) {
  EXPECT_EQ(phash2(term::opaque("#Fun")), phash2(term("#Fun")));
}

}  // namespace
}  // namespace otter
