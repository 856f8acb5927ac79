// otter/otter.hpp: the whole public API of Otter's core.
#pragma once

#include "otter/core/atom.hpp"
#include "otter/core/blocking.hpp"
#include "otter/core/co.hpp"
#include "otter/core/exit.hpp"
#include "otter/core/exit_watch.hpp"
#include "otter/core/message.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/process.hpp"
#include "otter/core/process_info.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/ref.hpp"
#include "otter/core/runtime.hpp"
#include "otter/core/term.hpp"
#include "otter/core/timer.hpp"
