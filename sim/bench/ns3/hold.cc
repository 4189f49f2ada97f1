// ns-3 side of `mailsim bench kernel`: the classic hold model with empty
// events on ns-3's simulator, for the side-by-side comparison in
// docs/performance.md. Built and run by run.sh (not by CMake, not by ctest).
//
// Q events are pending; each, when run, schedules one successor at now + a
// uniform random 1 ns .. 1 ms, so the population stays Q; N events are
// executed. The delays come from a small xorshift generator (not ns-3's
// RandomVariableStream, whose cost would be charged to the scheduler).
//
// usage: ns3-hold [--queue=Q] [--events=N] [--scheduler=map|heap|calendar|priority|list]
#include "ns3/core-module.h"

#include <sys/resource.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <string>

using namespace ns3;

static uint64_t g_left;
static uint64_t g_rng = 0x9e3779b97f4a7c15ull;

static uint64_t
NextDelay()
{
    // xorshift64*, then 1 .. 1,000,000 ns (the modulo bias is negligible here).
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return (g_rng * 0x2545F4914F6CDD1Dull) % 1000000 + 1;
}

static void
HoldEvent()
{
    if (--g_left == 0)
    {
        Simulator::Stop();
    }
    Simulator::Schedule(NanoSeconds(NextDelay()), &HoldEvent);
}

int
main(int argc, char* argv[])
{
    uint64_t queue = 1000;
    uint64_t events = 10000000;
    std::string scheduler = "map";
    CommandLine cmd(__FILE__);
    cmd.AddValue("queue", "pending events Q", queue);
    cmd.AddValue("events", "events executed N", events);
    cmd.AddValue("scheduler", "map, heap, calendar, priority or list", scheduler);
    cmd.Parse(argc, argv);

    std::string type = scheduler == "map"        ? "ns3::MapScheduler"
                       : scheduler == "heap"     ? "ns3::HeapScheduler"
                       : scheduler == "calendar" ? "ns3::CalendarScheduler"
                       : scheduler == "priority" ? "ns3::PriorityQueueScheduler"
                       : scheduler == "list"     ? "ns3::ListScheduler"
                                                 : "";
    if (type.empty() || events == 0 || queue == 0)
    {
        std::fprintf(stderr, "ns3-hold: bad arguments\n");
        return 2;
    }
    ObjectFactory factory;
    factory.SetTypeId(type);
    Simulator::SetScheduler(factory);

    g_left = events;
    for (uint64_t i = 0; i < queue; i++)
    {
        Simulator::Schedule(NanoSeconds(NextDelay()), &HoldEvent);
    }
    uint64_t before = Simulator::GetEventCount();
    auto t0 = std::chrono::steady_clock::now();
    Simulator::Run();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    uint64_t ran = Simulator::GetEventCount() - before;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    std::printf("{\"benchmark\": \"ns3-hold\", \"scheduler\": \"%s\", \"queue\": %" PRIu64
                ", \"events\": %" PRIu64 ", \"wall_seconds\": %.6f, \"events_per_second\": %.0f, "
                "\"ns_per_event\": %.2f, \"peak_rss_bytes\": %ld}\n",
                scheduler.c_str(), queue, ran, wall, ran / wall, wall * 1e9 / ran,
                ru.ru_maxrss * 1024L);
    Simulator::Destroy();
    return ran == events ? 0 : 1;
}
