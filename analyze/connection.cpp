// SPDX-License-Identifier: MIT
#include "analyze/connection.hpp"

namespace rdpscope {

int Connection::client_side() const {
    // The SYN's sender is the client (a SYN-ACK's sender the server).
    if (stats[0].syn) return 0;
    if (stats[1].syn) return 1;
    if (stats[0].syn_ack) return 1;
    if (stats[1].syn_ack) return 0;
    if (rdp.client_side_by_content() >= 0) return rdp.client_side_by_content();
    const bool p0 = side[0].port == 3389, p1 = side[1].port == 3389;
    if (p0 && !p1) return 1;
    return 0;
}

bool Connection::closed() const {
    return stats[0].rst || stats[1].rst || (stats[0].fin && stats[1].fin);
}

bool Connection::tcp_established() const {
    const int c = client_side();
    return stats[c].syn && stats[1 - c].syn_ack && stats[c].packets > stats[c].syn;
}

}  // namespace rdpscope
