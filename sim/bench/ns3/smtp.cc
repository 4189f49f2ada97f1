// ns-3 side of `mailsim bench tcp`: the same SMTP-shaped workload on ns-3's
// TCP, for the side-by-side comparison in docs/performance.md. Built and run
// by run.sh (not by CMake, not by ctest).
//
// A star of point-to-point links (100 Mb/s, 5 ms) joins N clients to one
// server; each link is its own /30, so every route is a connected route and
// no global routing is computed. Each client starts at a uniform random
// time in the first second, opens one TCP connection to port 25, reads a
// one-line greeting, sends EHLO and reads a 4-line reply, then K times sends
// MAIL, RCPT, RCPT, DATA (each answered by one line) and a 10,240-byte body
// ended by CRLF.CRLF (answered by one line), then QUIT, its reply, and close.
// The server splits lines and finds the end of each body in the byte stream.
// TCP settings matched to mailsim's model: MSS 1460 (MTU 1500), no Nagle.
// --ns3-defaults=1 keeps ns-3's own TCP defaults instead (SegmentSize 536) and
// computes global routes, as a naive port of the workload would.
//
// Every transaction must complete, or the program says so and exits 1.
// --idle=1 instead stops every client after the greeting and reports the
// malloc bytes per idle client (mallinfo2, before and after).
//
// usage: ns3-smtp [--clients=N] [--transactions=K] [--seed=S] [--idle=1] [--ns3-defaults=1]
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace ns3;

namespace
{

const uint16_t kPort = 25;
const size_t kBodyBytes = 10240;
const char kGreeting[] = "220 mx.bench.example ESMTP ns3-bench\r\n";
const char kEhloReply[] =
    "250-mx.bench.example\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250 8BITMIME\r\n";
const char* const kCommands[4] = {
    "MAIL FROM:<juan@client.bench.example>\r\n",
    "RCPT TO:<maria@mx.bench.example>\r\n",
    "RCPT TO:<jose@mx.bench.example>\r\n",
    "DATA\r\n",
};
const uint8_t kEod[5] = {'\r', '\n', '.', '\r', '\n'};

std::vector<uint8_t> g_body; // body + ".\r\n"
uint32_t g_k = 10;
bool g_idle = false;
uint64_t g_txns = 0, g_bodies = 0, g_greeted = 0, g_closedOk = 0, g_failures = 0;
std::string g_error;
std::vector<uint8_t> g_rx; // receive scratch buffer

void
Fail(const std::string& why)
{
    if (g_failures++ == 0)
    {
        g_error = why;
    }
}

// Finds CRLF.CRLF across chunks; same algorithm as mailsim's bench_tcp.c.
struct BodyScan
{
    uint8_t tail[4];
    size_t tailLen = 0;

    long Scan(const uint8_t* p, size_t len)
    {
        uint8_t w[8];
        size_t wl = tailLen, head = len < 4 ? len : 4;
        std::memcpy(w, tail, wl);
        std::memcpy(w + wl, p, head);
        for (size_t e = wl + 1; e <= wl + head; e++)
        {
            if (e >= 5 && std::memcmp(w + e - 5, kEod, 5) == 0)
            {
                return long(e - wl);
            }
        }
        const uint8_t *q = p + 2, *end = p + len;
        while (q + 2 < end)
        {
            const uint8_t* dot = (const uint8_t*)std::memchr(q, '.', size_t(end - 2 - q));
            if (!dot)
            {
                break;
            }
            if (dot[-2] == '\r' && dot[-1] == '\n' && dot[1] == '\r' && dot[2] == '\n')
            {
                return long(dot + 3 - p);
            }
            q = dot + 1;
        }
        if (len >= 4)
        {
            std::memcpy(tail, p + len - 4, 4);
            tailLen = 4;
        }
        else
        {
            size_t keep = wl + len > 4 ? 4 - len : wl;
            std::memmove(tail, tail + wl - keep, keep);
            std::memcpy(tail + keep, p, len);
            tailLen = keep + len;
        }
        return -1;
    }
};

bool
VerbIs(const char* line, size_t len, const char* verb)
{
    if (len < 4)
    {
        return false;
    }
    for (size_t i = 0; i < 4; i++)
    {
        char ch = line[i];
        if (ch >= 'a' && ch <= 'z')
        {
            ch = char(ch - 'a' + 'A');
        }
        if (ch != verb[i])
        {
            return false;
        }
    }
    return len == 4 || line[4] == ' ' || line[4] == '\r' || line[4] == '\n';
}

// Reads everything the socket holds into g_rx; returns the byte count.
size_t
Drain(Ptr<Socket> s)
{
    size_t total = 0;
    uint32_t avail;
    while ((avail = s->GetRxAvailable()) > 0)
    {
        if (g_rx.size() < total + avail)
        {
            g_rx.resize(total + avail);
        }
        int n = s->Recv(g_rx.data() + total, avail, 0);
        if (n <= 0)
        {
            break;
        }
        total += size_t(n);
    }
    return total;
}

struct ServerConn
{
    Ptr<Socket> sock;
    bool inBody = false;
    BodyScan scan;
    std::string line;

    void Send(const char* text, size_t len)
    {
        if (sock->Send((const uint8_t*)text, uint32_t(len), 0) != int(len))
        {
            Fail("server send buffer refused a reply");
        }
    }

    void Line(const char* l, size_t len)
    {
#define REPLY(lit) Send(lit, sizeof(lit) - 1)
        if (VerbIs(l, len, "EHLO") || VerbIs(l, len, "HELO"))
        {
            REPLY(kEhloReply);
        }
        else if (VerbIs(l, len, "MAIL"))
        {
            REPLY("250 2.1.0 Ok\r\n");
        }
        else if (VerbIs(l, len, "RCPT"))
        {
            REPLY("250 2.1.5 Ok\r\n");
        }
        else if (VerbIs(l, len, "DATA"))
        {
            inBody = true;
            std::memcpy(scan.tail, "\r\n", 2);
            scan.tailLen = 2;
            REPLY("354 End data with <CR><LF>.<CR><LF>\r\n");
        }
        else if (VerbIs(l, len, "QUIT"))
        {
            REPLY("221 2.0.0 Bye\r\n");
        }
        else
        {
            REPLY("500 5.5.2 Error: command not recognized\r\n");
        }
#undef REPLY
    }

    void Data(const uint8_t* p, size_t len)
    {
        while (len > 0)
        {
            if (inBody)
            {
                long end = scan.Scan(p, len);
                if (end < 0)
                {
                    return;
                }
                p += end;
                len -= size_t(end);
                inBody = false;
                g_bodies++;
                Send("250 2.0.0 Ok: queued\r\n", 22);
                continue;
            }
            const uint8_t* nl = (const uint8_t*)std::memchr(p, '\n', len);
            size_t n = nl ? size_t(nl - p) + 1 : len;
            if (!nl || !line.empty())
            {
                line.append((const char*)p, n);
                if (nl)
                {
                    Line(line.data(), line.size());
                    line.clear();
                }
            }
            else
            {
                Line((const char*)p, n);
            }
            p += n;
            len -= n;
        }
    }
};

void
ServerRecv(ServerConn* c, Ptr<Socket> s)
{
    size_t n = Drain(s);
    c->Data(g_rx.data(), n);
}

void
ServerPeerClose(ServerConn* c, Ptr<Socket> s)
{
    s->Close();
}

void
ServerErrorClose(ServerConn* c, Ptr<Socket> s)
{
    Fail("a server connection closed with an error");
}

void
ServerAccept(Ptr<Socket> s, const Address& from)
{
    ServerConn* c = new ServerConn; // lives as long as the run (leaked at exit)
    c->sock = s;
    s->SetRecvCallback(MakeBoundCallback(&ServerRecv, c));
    s->SetCloseCallbacks(MakeBoundCallback(&ServerPeerClose, c),
                         MakeBoundCallback(&ServerErrorClose, c));
    c->Send(kGreeting, sizeof(kGreeting) - 1);
}

enum ClientState
{
    C_GREETING,
    C_EHLO,
    C_COMMAND,
    C_BODY,
    C_QUIT,
    C_DONE,
    C_FAILED
};

struct Client
{
    Ptr<Node> node;
    Ipv4Address server;
    Ptr<Socket> sock;
    ClientState state = C_GREETING;
    int step = 0;
    uint32_t done = 0;
    std::string line;
    const uint8_t* pend = nullptr;
    size_t pendLen = 0;
    uint32_t id = 0;

    void Send(const void* bytes, size_t len)
    {
        int n = sock->Send((const uint8_t*)bytes, uint32_t(len), 0);
        if (n < 0)
        {
            n = 0;
        }
        pend = (const uint8_t*)bytes + n;
        pendLen = len - size_t(n);
    }

    void Abort(const char* why)
    {
        Fail(std::string("client ") + std::to_string(id) + ": " + why);
        state = C_FAILED;
        sock->Close();
    }

    void Reply(const char* l, size_t len)
    {
        int code = len >= 3 ? (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0') : -1;
        switch (state)
        {
        case C_GREETING:
            if (code != 220)
            {
                return Abort("bad greeting");
            }
            g_greeted++;
            if (g_idle)
            {
                return;
            }
            state = C_EHLO;
            return Send("EHLO client.bench.example\r\n", 27);
        case C_EHLO:
            if (code != 250)
            {
                return Abort("bad EHLO reply");
            }
            state = C_COMMAND;
            step = 0;
            return Send(kCommands[0], std::strlen(kCommands[0]));
        case C_COMMAND:
            if (code != (step == 3 ? 354 : 250))
            {
                return Abort("bad command reply");
            }
            if (step == 3)
            {
                state = C_BODY;
                return Send(g_body.data(), g_body.size());
            }
            step++;
            return Send(kCommands[step], std::strlen(kCommands[step]));
        case C_BODY:
            if (code != 250)
            {
                return Abort("bad reply to the body");
            }
            g_txns++;
            if (++done < g_k)
            {
                state = C_COMMAND;
                step = 0;
                return Send(kCommands[0], std::strlen(kCommands[0]));
            }
            state = C_QUIT;
            return Send("QUIT\r\n", 6);
        case C_QUIT:
            if (code != 221)
            {
                return Abort("bad QUIT reply");
            }
            state = C_DONE;
            sock->Close();
            g_closedOk++;
            return;
        default:
            return Abort("unexpected reply");
        }
    }

    void Data(const uint8_t* p, size_t len)
    {
        while (len > 0 && state != C_FAILED)
        {
            const uint8_t* nl = (const uint8_t*)std::memchr(p, '\n', len);
            size_t n = nl ? size_t(nl - p) + 1 : len;
            const char* l = (const char*)p;
            size_t ll = n;
            if (!nl || !line.empty())
            {
                line.append((const char*)p, n);
                if (!nl)
                {
                    return;
                }
                l = line.data();
                ll = line.size();
            }
            if (!(ll >= 4 && l[3] == '-'))
            {
                Reply(l, ll);
            }
            line.clear();
            p += n;
            len -= n;
        }
    }
};

void
ClientRecv(Client* c, Ptr<Socket> s)
{
    size_t n = Drain(s);
    c->Data(g_rx.data(), n);
}

void
ClientSendSpace(Client* c, Ptr<Socket> s, uint32_t avail)
{
    if (c->pendLen)
    {
        c->Send(c->pend, c->pendLen);
    }
}

void
ClientConnected(Client* c, Ptr<Socket> s)
{
}

void
ClientConnectFailed(Client* c, Ptr<Socket> s)
{
    Fail("client " + std::to_string(c->id) + ": connect failed");
    c->state = C_FAILED;
}

void
ClientErrorClose(Client* c, Ptr<Socket> s)
{
    if (c->state != C_DONE)
    {
        Fail("client " + std::to_string(c->id) + ": connection closed with an error");
        c->state = C_FAILED;
    }
}

void
ClientPeerClose(Client* c, Ptr<Socket> s)
{
}

void
ClientStart(Client* c)
{
    c->sock = Socket::CreateSocket(c->node, TcpSocketFactory::GetTypeId());
    c->sock->Bind();
    c->sock->SetConnectCallback(MakeBoundCallback(&ClientConnected, c),
                                MakeBoundCallback(&ClientConnectFailed, c));
    c->sock->SetRecvCallback(MakeBoundCallback(&ClientRecv, c));
    c->sock->SetSendCallback(MakeBoundCallback(&ClientSendSpace, c));
    c->sock->SetCloseCallbacks(MakeBoundCallback(&ClientPeerClose, c),
                               MakeBoundCallback(&ClientErrorClose, c));
    c->sock->Connect(InetSocketAddress(c->server, kPort));
}

uint64_t
MallocBytes()
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

} // namespace

int
main(int argc, char* argv[])
{
    uint32_t n = 100;
    uint32_t seed = 1;
    bool idle = false;
    bool ns3Defaults = false;
    CommandLine cmd(__FILE__);
    cmd.AddValue("clients", "number of clients N", n);
    cmd.AddValue("transactions", "transactions per client K", g_k);
    cmd.AddValue("seed", "random seed (start times)", seed);
    cmd.AddValue("idle", "stop clients after the greeting and report idle memory", idle);
    cmd.AddValue("ns3-defaults", "keep ns-3's TCP defaults and compute global routes", ns3Defaults);
    cmd.Parse(argc, argv);
    g_idle = idle;
    if (n == 0 || g_k == 0)
    {
        std::fprintf(stderr, "ns3-smtp: --clients and --transactions must be >= 1\n");
        return 2;
    }

    if (!ns3Defaults)
    {
        Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1460));
        Config::SetDefault("ns3::TcpSocket::TcpNoDelay", BooleanValue(true));
    }
    RngSeedManager::SetSeed(seed);

    g_body.resize(kBodyBytes + 3);
    static const char words[] =
        "the quick brown fox jumps over the lazy dog while mail crosses three MTAs ";
    for (size_t i = 0, w = 0; i < kBodyBytes; i++)
    {
        g_body[i] = i % 80 == 78 ? '\r' : i % 80 == 79 ? '\n' : uint8_t(words[w++ % (sizeof(words) - 1)]);
    }
    std::memcpy(g_body.data() + kBodyBytes, ".\r\n", 3);

    uint64_t m0 = MallocBytes();
    auto s0 = std::chrono::steady_clock::now();
    NodeContainer server;
    server.Create(1);
    NodeContainer clients;
    clients.Create(n);
    InternetStackHelper stack;
    stack.Install(server);
    stack.Install(clients);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
    p2p.SetChannelAttribute("Delay", StringValue("5ms"));
    Ipv4AddressHelper addr;
    std::vector<Client> cl(n);
    Ptr<UniformRandomVariable> start = CreateObject<UniformRandomVariable>();
    for (uint32_t i = 0; i < n; i++)
    {
        NetDeviceContainer d = p2p.Install(server.Get(0), clients.Get(i));
        addr.SetBase(Ipv4Address((10u << 24) | (i << 2)), Ipv4Mask("255.255.255.252"));
        Ipv4InterfaceContainer ifc = addr.Assign(d);
        cl[i].node = clients.Get(i);
        cl[i].server = ifc.GetAddress(0);
        cl[i].id = i;
        Simulator::Schedule(NanoSeconds(uint64_t(start->GetValue(0, 1e9))), &ClientStart, &cl[i]);
    }
    if (ns3Defaults)
    {
        Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    }
    Ptr<Socket> listener = Socket::CreateSocket(server.Get(0), TcpSocketFactory::GetTypeId());
    listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), kPort));
    listener->Listen();
    listener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                MakeCallback(&ServerAccept));
    double setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();

    if (idle)
    {
        Simulator::Stop(Seconds(2));
    }
    auto t0 = std::chrono::steady_clock::now();
    Simulator::Run();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double simSeconds = Simulator::Now().GetSeconds();
    uint64_t events = Simulator::GetEventCount();
    uint64_t m1 = MallocBytes();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);

    if (idle)
    {
        bool ok = g_greeted == n && g_failures == 0;
        std::printf("{\"benchmark\": \"ns3-smtp-idle\", \"clients\": %u, \"greeted\": %" PRIu64
                    ", \"idle_malloc_bytes_per_client\": %.0f, \"peak_rss_bytes\": %ld, \"ok\": %s}\n",
                    n, g_greeted, (double(m1) - double(m0)) / n, ru.ru_maxrss * 1024L,
                    ok ? "true" : "false");
        Simulator::Destroy();
        return ok ? 0 : 1;
    }
    uint64_t want = uint64_t(n) * g_k;
    bool ok = g_txns == want && g_bodies == want && g_closedOk == n && g_failures == 0;
    std::printf("{\"benchmark\": \"ns3-smtp\", \"ns3_defaults\": %s, \"clients\": %u, \"transactions_per_client\": %u, "
                "\"setup_seconds\": %.3f, \"wall_seconds\": %.3f, \"simulated_seconds\": %.6f, "
                "\"events\": %" PRIu64 ", \"events_per_second\": %.0f, \"transactions\": %" PRIu64
                ", \"transactions_per_wall_second\": %.1f, \"ns_per_transaction\": %.0f, "
                "\"peak_rss_bytes\": %ld, \"ok\": %s}\n",
                ns3Defaults ? "true" : "false", n, g_k, setup, wall, simSeconds, events, events / wall, g_txns, g_txns / wall,
                g_txns ? wall * 1e9 / g_txns : 0.0, ru.ru_maxrss * 1024L, ok ? "true" : "false");
    if (!ok)
    {
        std::fprintf(stderr,
                     "ns3-smtp: FAILED: %" PRIu64 " of %" PRIu64 " transactions, %" PRIu64
                     " of %u clients closed; %s\n",
                     g_txns, want, g_closedOk, n, g_error.c_str());
    }
    Simulator::Destroy();
    return ok ? 0 : 1;
}
