// otter/ets.hpp: the whole API of Otter's ETS-like tables (see otter/ets/table.hpp first).
#pragma once

#include "otter/ets/counters.hpp"
#include "otter/ets/info.hpp"
#include "otter/ets/objects.hpp"
#include "otter/ets/ownership.hpp"
#include "otter/ets/select.hpp"
#include "otter/ets/table.hpp"
#include "otter/ets/traversal.hpp"
