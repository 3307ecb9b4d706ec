// SPDX-License-Identifier: MIT
// TLS as it runs on the RDP TCP stream right after the X.224 negotiation
// (PROTOCOL_SSL / HYBRID / HYBRID_EX): record layer, handshake reassembly and
// the handshake messages an analyzer of the connection sequence needs.
//
// Three layers, each usable alone:
//   1. decode_record_header / decode_record: one TLSPlaintext header (RFC 5246 6.2.1,
//      RFC 8446 5.1) from a buffer.
//   2. RecordFramer (stream bytes of one direction -> whole records, whatever the TCP
//      segmentation) and HandshakeAssembler (handshake record payloads -> whole
//      handshake messages, whatever the record fragmentation).  Both are bounded.
//   3. decode_client_hello, decode_server_hello, ... : one handshake message body each.
// `Session` glues them for both directions of one connection, applies the
// ChangeCipherSpec / TLS 1.3 rules and keeps an ssl.log-like summary.
//
// Everything here is pure: no I/O, no globals, no exceptions, no logging.
// Views (Bytes) inside decoded values point into the buffer given to the decoder.
#pragma once

// The parts: dissect/tls_record.hpp (1, 2a, Alert, ChangeCipherSpec),
// dissect/tls_handshake.hpp (2b, 3), dissect/tls_names.hpp, dissect/tls_session.hpp.

#include "dissect/tls_handshake.hpp"
#include "dissect/tls_names.hpp"
#include "dissect/tls_record.hpp"
#include "dissect/tls_session.hpp"
