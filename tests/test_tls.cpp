// SPDX-License-Identifier: MIT
// Tests for dissect/tls: record framing, handshake reassembly, message decoders,
// names, and the two-direction Session, on bytes from real captures.
//
// Where the vectors come from:
//  * /work/shared/pcaps/public (see its MANIFEST.tsv): TCP payloads extracted with
//      tshark -r F -d tcp.port==3389,tls -Y frame.number==N -T fields -e tcp.payload
//    Every flight below sits in one TCP segment in these captures; the framing tests
//    re-split them to cover segment boundaries.
//  * "lab" captures made for this test on loopback (Debian 12, OpenSSL 3.0) with
//      tcpdump -i lo -w X.pcap "tcp port P"
//      sleep 6 | openssl s_server -accept P -cert wrong.pem -key wrong.key ARGS -naccept 1
//      (sleep 2; echo Q) | openssl s_client -connect 127.0.0.1:P ARGS
//    where wrong.pem is the RSA-2048 self-signed "CN=wrong.example, O=rdpscope, test"
//    certificate of tests/test_x509.cpp, and ARGS per capture:
//      tls13:         server -tls1_3;  client -tls1_3 -servername rdp.lab.test -alpn h2,http/1.1
//      hrr:           server -tls1_3 -groups P-256;  client -tls1_3 -groups X25519:P-256 -servername hrr.lab.test
//      version_alert: server -tls1_2;  client -tls1_3
//      unknown_ca:    server -tls1_2;  client -tls1_2 -verify_return_error -CAfile expired.pem
//                     -servername wrong.example -cipher ECDHE-RSA-AES128-GCM-SHA256
//      certreq:       server -tls1_2 -verify 1 -cipher ECDHE-RSA-AES256-GCM-SHA384;
//                     client -tls1_2 -servername certreq.lab.test
//      dhe:           server/client -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 (client -servername dhe.lab.test)
//    Expected values were read with tshark 4.0 on the same frames.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "dissect/tls.hpp"
#include "tests/test_util.hpp"

using namespace rdpscope;
using namespace rdpscope::tls;
using rdpscope::test::hex;

namespace {

// zeek/rdp-to-ssl.pcap frame 8, client->server: ClientHello (121 bytes)
const std::vector<std::uint8_t> kRdpToSslClient1 = hex(R"(
16030100740100007003014d570ec58a9b7d325ed908de8cb2b4de50ec88184a1f6ec723c1d5a344a6cc34000018002f
00350005000ac013c014c009c00a00320038001300040100002f00000012001000000d3139322e3136382e312e313530
000500050100000000000a0006000400170018000b00020100)");

// zeek/rdp-to-ssl.pcap frame 9, server->client: ServerHello, Certificate, ServerHelloDone in one record (859 bytes)
const std::vector<std::uint8_t> kRdpToSslServer1 = hex(R"(
16030103560200004603014d570ec5dce926336048a81f74582427b8dbdd75b023967bc5b9e8f0d64a473f20bc330000
feec8017719c03aaf0ab2544484d8ccfa3a8a343239161d750f089ca002f000b0003040003010002fe308202fa308201
e2a003020102021016ed2aa0495f259d4f5d99edada570d1300d06092a864886f70d0101050500302631243022060355
0403131b57494e324b3852322e6177616b65636f64696e672e6174682e6378301e170d3131303231323231333733355a
170d3231303231323030303030305a3026312430220603550403131b57494e324b3852322e6177616b65636f64696e67
2e6174682e637830820122300d06092a864886f70d01010105000382010f003082010a0282010100fb55c684d0ee3a06
ddbbbe86b33ffa8494d047fe4e794e576e5f8a29819bf7b2f47bcd14d33818bd54ac62c9ad3ec9cde23d2838dd8d4062
032597e04f15d3351901498fbd67ae1e23d019734ac54c29a85f889ce11b33f0dfb197cf497532b21cee9d85d81ee8d1
eef5d444c78442506b7310704c33db5287fcc9f0d7f0fcb8bedf9e5542228092e876665d331f353c6e4e3abb5dd8d6aa
59d23d7bdb06ba10ff4d6e575d9adbb3776ff5e0e1df4ec24fde665f88bee40e731a39a02036d607d127bdae1181aa5b
7b99715bfdbbf55f4149da451d57e3a205311c75b673dd04e77bedc63a00bdb7837344f2fd3b2ae58db51963e02aa715
aa42e3a3d5def1970203010001a3243022300b0603551d0f04040302043030130603551d25040c300a06082b06010505
070301300d06092a864886f70d010105050003820101007c430c5abb0c7218c2bb3820a68af5995b588a445160ed4082
238382ed517c69b9cadc358dc9d07921cdbdf34b3f8057c83523ff952ad201a8b6305065c46a5526d6d7a41834768d9d
5c7399f4bc3fdfe31dbd1b7f1c7db02f50b448384b0ae83583aae53051cbc2616587ae857747f5d1ccec8983850e8beb
252f25fa3535509fbd3672a3f6eee6b3e89936cc884485782fdcfdb9dd6b8e40e7586423de429ebaf5008da53755e659
3b0fad9b0213fc8e49aee922b09c768e354de12a14a07e429e019ab8acd092a7c7858f43d88cd1308aa6f41a06348423
e19289a536e1697557433fedc07576192259d1cd2875daf50238d25ac323742c40c7f1f1addf6c0e000000)");

// zeek/rdp-to-ssl.pcap frame 10, client->server: ClientKeyExchange, ChangeCipherSpec, encrypted Finished (326 bytes)
const std::vector<std::uint8_t> kRdpToSslClient2 = hex(R"(
160301010610000102010085bb598d435e839080ecb9be52235a0b3eac7032884cd959baedb8fc2c4ee3aea5476472ae
58933d913ca0e07b21a724f86a5344a17f6887e9c448e9972f52d0cee1e7225cc805accab9fc01724abf632deca6024b
a10089ba4c54fd34c38780574c8352f1134e8002842d5aa7fa970a7ff2c06d7c1604501d4aeee0bfbfed6ca286fbd943
598557dbc78d7e402693801c0a308b86eef0746193f763373ebbff32306901a77ca1283a32307e02188193fad5d0a8de
61d05c2209b9d71acdeda71fb622d2a61a07207d8ec6c55622c680a9aea3e6b700ac746355968c794063edbcba6d8f47
cb3f2d0cfe84fcb1d39e7a955e628d7c066df3b5a85a0f8f028f2d1403010001011603010030fed22d1ee061a160afb5
82c046a2ee836d2d7ae91083bebbf47f5462f8001f0adb22a7f11a3b0b360715f5dcca7e46aa)");

// zeek/rdp-to-ssl.pcap frame 11, server->client: ChangeCipherSpec, encrypted Finished (59 bytes)
const std::vector<std::uint8_t> kRdpToSslServer2 = hex(R"(
14030100010116030100308fafed5450e42ea46db0f35ba24178ca1d30391d696e9d90d765e5fae44c54cb1e05d67934
31468c92910f3098202eb8)");

// zeek/rdp-no-cookie-mstshash.pcap frame 11 (frame 12 is its duplicate), client->server: ClientHello (147 bytes)
const std::vector<std::uint8_t> kNoCookieClient1 = hex(R"(
160303008e0100008a030367b4ac55e203e3879630e7d66974024e01872f2bffa34b65c070b61a385929c700002ac02c
c02bc030c02f009f009ec024c023c028c027c00ac009c014c013009d009c003d003c0035002f000a01000037000a0008
0006001d00170018000b00020100000d001400120401050102010403050302030202060106030023000000170000ff01
000100)");

// zeek/rdp-no-cookie-mstshash.pcap frame 13, server->client: ServerHello, Certificate, ServerHelloDone in one record (872 bytes)
const std::vector<std::uint8_t> kNoCookieServer1 = hex(R"(
160303036302000051030367b4ac55f715634e9a3e6f7f25d90548bdd32d83d9843132e20205f2c2392c9d20704a0000
82792136996dfcd6a7c1a69c0173e9f577bf6b7323f575c4bb2d0ae7009d00000900170000ff010001000b0003060003
03000300308202fc308201e4a0030201020210785897aeaaabc0bd4ac73f6eb275d540300d06092a864886f70d01010b
05003027312530230603550403131c434c4b2d3435363034302d442e6f6e652e70686f656e69782e676f76301e170d32
34313130323233313931395a170d3235303530343233313931395a3027312530230603550403131c434c4b2d34353630
34302d442e6f6e652e70686f656e69782e676f7630820122300d06092a864886f70d01010105000382010f003082010a
0282010100a578757d98228dce3525476a2c07a92577e5cf17050ad28f95fa56c7755c654ea9497f806bb695b7283f1e
6accf7036d248d3ea5021a749628c2471db85bedcc61a1ec8f1a8af1b291033d2402e6df02d044e6db0383b702ae9fc4
6658dbead9c44d56b9f8de43ce150e1fc6a231aad76d20f3280042f237e002562104b077753a459402cf9cd6cbc96aa4
6f9c0913f0d35bdaf421e03e7816100c5c0bb59484ee3f7d70c9c97952a46b3e9c4839815b26af9da877dfc1cb8e871d
491c1cf571404fb17b634965d5a452c9b6e176acc972290f43eef8492d556e643b6d7165b754ea8fad1f2bac3966c5a6
2df706347d22b6881564250c61840a572e3d9e44a90203010001a324302230130603551d25040c300a06082b06010505
070301300b0603551d0f040403020430300d06092a864886f70d01010b050003820101006f83108524b2e1409e5d15d2
4a4f56386cc62d1b6f36b6d2399c447b5a521e18924d0f0263def041314ab4b17f51e9f26ca6155993b4a53195f7d445
630d1bb7d6e5f02b946f53e94bae67ac015682e1356db46662273d1cb118e2adfd5e60a62f7d4b823d48e1618b945a6b
d2ccb751266c24ef6eaed76bb16c240baf85c74f5d8d9550d86818f5dde6f59d4095e29e3f3afb79d9238d9fc2ab732b
a8852f778c039919c4c395fa8ceb64398aa6d9feac8c50ea185f06dc2e4a1fc4d67b6aaf5a9ca74f82f03678d59237ec
bde52fd3111026667550eda20b79d5eb0326ed12feffa528683c57e76f01a87a445c89bd88a1841513f86cc4daa60449
67dec6ad0e000000)");

// zeek/rdp-no-cookie-mstshash.pcap frame 15, client->server: ClientKeyExchange, ChangeCipherSpec, encrypted Finished (318 bytes)
const std::vector<std::uint8_t> kNoCookieClient2 = hex(R"(
16030301061000010201001af4621d04a7597d0b467772f69cab47416c4961a1e53d9627d22e968072aa547c5c1dc0a4
bf8fb6942ad0eb8b97d54514ea61449ffc0aa048c2be14587fc6356ce216974d895eddc2d0a4aa821d8f3320a325c311
111cf7e29a5c5ead31d26f19796a924a0fe127a64f0902ea5cbeefd7709f5412ae5d2b129f3c3e994d05fd2bb90892e2
cd200aa3402d21a4e43e43b7286db6aef8cdd73b11e07183da54014bab9d2eb671b9d0a874e111bc965c3073738bc576
9d6de858f7aa0c97d03434a01e4ffa184596753868267b9a8a59c5619bf2969eb7b20a2eac844fd6ccd28d0e812b1759
c8227bf81120c7f4f2dae6e8963251d8434d99a880e134e60f90f914030300010116030300280000000000000000af8e
9475549d1045b825507dd9e6e41bc3f16ba108e528da28776cc48eb57cf9)");

// zeek/rdp-no-cookie-mstshash.pcap frame 17, server->client: ChangeCipherSpec, encrypted Finished (51 bytes)
const std::vector<std::uint8_t> kNoCookieServer2 = hex(R"(
1403030001011603030028000000000000000056f4836cd2a5694327980fde0f77a1e6fe4f8a8e5e79ab3d20c111ef48
59282b)");

// ndpi/rdp.pcap frame 7, client->server: ClientHello (173 bytes)
const std::vector<std::uint8_t> kNdpiClient1 = hex(R"(
16030100a8010000a403035cef9e29f7050d16a1a2391d64625681e3425a70bdd5045db0a23d3db250dbe700002c00ff
c02cc02bc024c023c00ac009c008c030c02fc028c027c014c013c012009d009c003d003c0035002f000a0100004f0000
0012001000000d3139322e3136382e322e313432000a00080006001700180019000b00020100000d0012001004010201
0501060104030203050306030005000501000000000012000000170000)");

// ndpi/rdp.pcap frame 8, server->client: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone (1179 bytes)
const std::vector<std::uint8_t> kNdpiServer1 = hex(R"(
16030304960200005103035cef9e29fc014194909b53af86699d233ed91ac0ae93eb33ba83c67dc32512842055460000
51f0a1cf87fe3fc0e31472677019381dcaffb9355b5e746e41b2f498c03000000900170000ff010001000b0002ec0002
e90002e6308202e2308201caa00302010202103dde271223f54fa148cca5d217d88b33300d06092a864886f70d01010b
0500301a311830160603550403130f4f46464943452d57494e31302d564d301e170d3139303331393130343731315a17
0d3139303931383130343731315a301a311830160603550403130f4f46464943452d57494e31302d564d30820122300d
06092a864886f70d01010105000382010f003082010a0282010100a69e107c5bd42aad64d84286068d8c20b72d31de34
d2413f3901956d0dc577cf91910894d0f55f7b8d7478ebf9421c314fc96742dd55a2318c7412ffcad753c211ff0bc7ff
a53f7ba0f1333ac59ec9279aba6f7d7157229b0bcf2ba08b5cc79d9727885c096a57c594a86dc43041f738e482ed61d4
d97c1dd9cbed2ec0ddab4a0df89ade2adc9beed83fd4e188bf5592b1ca43511bc9b232d18340353e207b4fbe04748df0
98d802e7a83d2e06c13408f7d367c74ba25368a53c41f12e4e702514213478790536ea1c7c6278ea013bcfe9f990e376
b6133cb0c444f0c087cfd43455d7ba12e093bf2f2f02cbdc16cc0ae3c30397e5aaff920b6480196dccb2cd0203010001
a324302230130603551d25040c300a06082b06010505070301300b0603551d0f040403020430300d06092a864886f70d
01010b0500038201010087bf31566ec914ad93926bea04a7ab5b06a53e54502ff969e9b0365dff76a75443e5715b08e0
090cf0e29ef1726eef0612ed20b1c240574f362edd3bb0e2002e9de113f5baf3072472f9629e4afb104e45ad4aa55d8b
0017604371977efe01adb36324dad95e4e809a766349986e7a920e8781b64e6b374064adc0a16a60106468a1172bcc36
692aefbcf4e3bb5ef9ce9a8bb1eaf7bde543ab1ef4f7eda82a47265ea2a44ec28ca0ff9cae06308a019a165a1454d146
fc5eab939f010e9ab17a7869a9915cf4719dd33d83d2d18e4b1f36f180a704dca40814a09594fde739b2e57f750ec975
ed688bf142b50cab25ed1ceb53977e43a971e3f027196313fe3c0c0001490300174104e22f53f42a41c839ad777ab586
75cfab86ec28fd7d7128574370a90854e77ff6b304eff7c3da0f2d8e5c824eb9d4906c281e4b028e2c6d5a3880655fb4
66ec0b04010100618123c390dc569d2d9a1d5566cfb148b643e876fb71716a7c60ad73c13dc706c497010ece070dddf2
039f186805ac8f08a6f5b98d0394d4b6589bc04ee5b7836f8d6c623a4f114e102e6c67a3edd76ca45b9fd22c5e7bb5cf
f925e4ae0bc9268390a24ae32f9699357747d3db3684e3e0725766f150b999f1b9762a24060a04984381b4b45dd30402
7544ef195096d757fabfda289315f11603d7534bf49bbac63a5474eb3358d0241e43a5dafa7099a89249cfb64364a7ac
fbdad5425c9ed324712fb133e24fe20b64acdd855cdfdc28fdb316893fd3c28ef32de775ecd3ccdfae0f5c370cc3370e
5357b73ee42efbd9c899dc3a056a5ec033422aa12a97d80e000000)");

// ndpi/rdp.pcap frame 10, client->server: ClientKeyExchange, ChangeCipherSpec, encrypted Finished (126 bytes)
const std::vector<std::uint8_t> kNdpiClient2 = hex(R"(
1603030046100000424104db09918ef4ca747dccbc85b5b6e95e9dd27bc7873f9efc15f146b8c1ba5eda84b02d553a76
a7a80f8c6da9776512869981cdbebb8c860f6f00dff5bd32fa41821403030001011603030028e0083b7d8d270b41d51f
8847c6468385b507dc4dcebd5d7e3cb65362b825b4955df3c3c2caf1adb0)");

// ndpi/rdp.pcap frame 11, server->client: ChangeCipherSpec, encrypted Finished (51 bytes)
const std::vector<std::uint8_t> kNdpiServer2 = hex(R"(
1403030001011603030028000000000000000077e4282e8f22bf7c52e3bd9e0d2302bf3a7f461b53d68d856a6bdefa30
c00cad)");

// ndpi/rdp_over_tls.pcap frame 14, server->client, after both Finished: an encrypted alert record (31 bytes)
const std::vector<std::uint8_t> kOverTlsEncryptedAlert = hex(R"(
150303001a000000000000000299f4e360ad0c19737fb2efd30a4c1a59de4d)");

// lab tls13.pcap frame 4, client->server: TLS 1.3 ClientHello (SNI rdp.lab.test, ALPN h2,http/1.1) (264 bytes)
const std::vector<std::uint8_t> kTls13Client1 = hex(R"(
1603010103010000ff0303363d21952de6110c532396d237049bab2c0fa4138d2712fc80ff0ec0b8fa8f8b20909dc036
ae424b6e5a35b94b10ebaa95f407b90c356f7a5d5472ede9540ca1f6000813021303130100ff010000ae00000011000f
00000c7264702e6c61622e74657374000b000403000102000a00160014001d0017001e00190018010001010102010301
04002300000010000e000c02683208687474702f312e310016000000170000000d001e001c0403050306030807080808
09080a080b080408050806040105010601002b0003020304002d00020101003300260024001d00205f504dd59d2169ed
86efb94063cc42427975cfd27c71cacf8a940a8ac7d1a62a)");

// lab tls13.pcap frame 6, server->client, first 3 of its 6 records: ServerHello, ChangeCipherSpec, application_data (EncryptedExtensions) (161 bytes)
const std::vector<std::uint8_t> kTls13Server1 = hex(R"(
160303007a020000760303ded760f9da87eef47213fcd82c7741711811505fe7a7529efe0a6442f214376e20909dc036
ae424b6e5a35b94b10ebaa95f407b90c356f7a5d5472ede9540ca1f6130200002e002b0002030400330024001d0020c2
9b102f04e6b51bb321baccd633ab6c08268ba6e6c5a5ced643584786603b47140303000101170303001791e6ba558f9d
cd5adf71fb5fe617d97c5ec4d8c7b040e5)");

// lab tls13.pcap frame 8, client->server: ChangeCipherSpec, application_data (Finished) (80 bytes)
const std::vector<std::uint8_t> kTls13Client2 = hex(R"(
14030300010117030300450f21abec45c1f466e4f55e31b74c0694afbf61dcb8870d18527d7a6b43ff9eb3a50dfd8698
e3f0edc3db7fcd9c565b010e0d4fcea42c00ee59ba1e82871cc1e0c9f235a6f7)");

// lab hrr.pcap frame 4, client->server: ClientHello with a key_share for x25519 only (230 bytes)
const std::vector<std::uint8_t> kHrrClient1 = hex(R"(
16030100e1010000dd0303cf581a4e0e7921f85b8472aa075d613d27279f528c2ff436b1dc259e322481e620fcc17120
f5930902a024b32e7038a487bcaebc45b7bbda84f982b7d0fbac670e000813021303130100ff0100008c00000011000f
00000c6872722e6c61622e74657374000b000403000102000a00060004001d0017002300000016000000170000000d00
1e001c040305030603080708080809080a080b080408050806040105010601002b0003020304002d0002010100330026
0024001d00206afb90415d68269efc3f4cf2a301cc0460347b6fa084566de6b6a3f0e4c53c6c)");

// lab hrr.pcap frame 6, server->client: HelloRetryRequest (selected_group secp256r1), ChangeCipherSpec (99 bytes)
const std::vector<std::uint8_t> kHrrServer1 = hex(R"(
1603030058020000540303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c20fcc17120
f5930902a024b32e7038a487bcaebc45b7bbda84f982b7d0fbac670e130200000c002b00020304003300020017140303
000101)");

// lab hrr.pcap frame 8, client->server: ChangeCipherSpec, second ClientHello (in the clear) (269 bytes)
const std::vector<std::uint8_t> kHrrClient2 = hex(R"(
1403030001011603030102010000fe0303cf581a4e0e7921f85b8472aa075d613d27279f528c2ff436b1dc259e322481
e620fcc17120f5930902a024b32e7038a487bcaebc45b7bbda84f982b7d0fbac670e000813021303130100ff010000ad
00000011000f00000c6872722e6c61622e74657374000b000403000102000a00060004001d0017002300000016000000
170000000d001e001c040305030603080708080809080a080b080408050806040105010601002b0003020304002d0002
010100330047004500170041040d9db0b2348c18c1ce344320e9ec8b098f745339fb6f8732266ee8f724122ac4269be6
185ca1adc128cbe3a76dde0cdd9f8ad7f75c7feb806f1488e1df4dc253)");

// lab hrr.pcap frame 9, server->client, first of its 5 records: ServerHello (160 bytes)
const std::vector<std::uint8_t> kHrrServer2 = hex(R"(
160303009b0200009703039041222266f68c1d467bbc45590e0745ac75389b01444787d9c90e8dcb8d44d320fcc17120
f5930902a024b32e7038a487bcaebc45b7bbda84f982b7d0fbac670e130200004f002b00020304003300450017004104
6793eaf77654bf1f57c2a4e57873ebfde81f4c19c2a2cf6a05bebae77f39b0ea0917797825c8eb17c18e06b2affa6b3a
c650ddd409ecbaa9d522b35dbf2c7827)");

// lab version_alert.pcap frame 4, client->server: TLS 1.3-only ClientHello (225 bytes)
const std::vector<std::uint8_t> kVersionAlertClient = hex(R"(
16030100dc010000d80303f2cfd0c57814a7c9c547128356b9f850c04df245f2fd7076be2787915ff4c6372069518f1a
f1baab5e7ee506cc047cc6e68c6a5bd57cce3027b04fa0c1738575b8000813021303130100ff01000087000b00040300
0102000a00160014001d0017001e0019001801000101010201030104002300000016000000170000000d001e001c0403
05030603080708080809080a080b080408050806040105010601002b0003020304002d00020101003300260024001d00
2060b801add35cc310b27ec5e3ca9695bf208b585585f4f2a05173b14b42e0035e)");

// lab version_alert.pcap frame 6, server->client: fatal protocol_version alert (7 bytes)
const std::vector<std::uint8_t> kVersionAlertServer = hex(R"(
15030300020246)");

// lab unknown_ca.pcap frame 4, client->server: TLS 1.2 ClientHello (SNI wrong.example) (158 bytes)
const std::vector<std::uint8_t> kUnknownCaClientHello = hex(R"(
1603010099010000950303414762ec0fe39a7220aa21734b65b8198539c4ff84a19d050958bcb71423cfd2000004c02f
00ff0100006800000012001000000d77726f6e672e6578616d706c65000b000403000102000a000c000a001d0017001e
00190018002300000016000000170000000d002a0028040305030603080708080809080a080b08040805080604010501
0601030303010302040205020602)");

// lab unknown_ca.pcap frame 8, client->server: fatal unknown_ca alert (7 bytes)
const std::vector<std::uint8_t> kUnknownCaAlert = hex(R"(
15030300020230)");

// lab certreq.pcap frame 6, server->client, bytes 1255..1320: CertificateRequest, ServerHelloDone records (66 bytes)
const std::vector<std::uint8_t> kCertReqServerTail = hex(R"(
16030300340d000030030102400028040305030603080708080809080a080b0804080508060401050106010303030103
02040205020602000016030300040e000000)");

// lab certreq.pcap frame 8, client->server: empty Certificate, ClientKeyExchange, ChangeCipherSpec, encrypted Finished (105 bytes)
const std::vector<std::uint8_t> kCertReqClient2 = hex(R"(
16030300070b000003000000160303002510000021206193fb0e674b104071d7d54d29eb784991ee0f0b0b4876fa5945
85bb6e0b2b191403030001011603030028ff3a6d0311292a2c99ef01664435916c083582ad0a97603b4814376e9967eb
3f6798ddb82fac1545)");

// lab dhe.pcap frame 6, server->client, bytes 942..1729: the ServerKeyExchange record (ffdhe2048) (788 bytes)
const std::vector<std::uint8_t> kDheServerKeyExchange = hex(R"(
160303030f0c00030b0100ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b
139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a6
37ed6b0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c
55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca
18217c32905e462e36ce3be39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea
956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff000102010027599aef9109bdea65f29d296bdaaaf7
890cf7f83ec5480797f55d37d36793499d97aecf342b91639cedb6568153fb61d3954f2cfed185025d1fa1722c95cf8c
6eed4bcba3f93ce4c9f58686dac52e61261f72715f83766b40ed3039477315033a3ac2ffe86f3d29ac54b410229101fa
d44512538de010d8c382f57421f1aecc85dd4a5b6708a4ce5c55880399640178db4909f21dd64a934b3f97dee96482bd
948460e5cff9b734754314570add5d021e97548c38494a0fc2765372660ed6bce5f17a391ba3aa07fc0ea5c2f5aaeace
d7c4c682cc9603121732c76a5ef9a32cc7adb46cc182d118a386f0ce9e864d2046ba8a11ac780284e24aaf0430727cb4
080401001588e28f25d7b1f4d0f0c2c2b53e32b4a34a3bfdeff33a8f89f9bcb1a958da192d4209af55b8c7e317f3c363
06f283478fdc6271cb1e07440fe30718b53db722f03a375ed7500dc3a8a07b33b03c12af249e08a248cfaee95fc117c5
ac218d286cc2d85f8d310530eeaebf77b83bd45a58eb21488a985d998b91b9d9299d85e8e44f8256f8b2acae48380339
104542a3b23fc71e786688c24dd76df4b78dfed6dd255344eeecacf7ecbf4aa2ba794c4a3b26b065ec666723a70ec599
85ee31308244535580ecc1bbb2fd885d6012dbcb34094c26ebd9fe902483a985aa03cfa8202397d70b9058cc8c43308a
ed960060890ed159f741697d804a94d122bd7d06)");

// All records of a buffer that holds whole records.
std::vector<Record> records_of(Bytes data) {
    std::vector<Record> out;
    while (!data.empty()) {
        auto r = decode_record(data);
        REQUIRE(r.ok());
        out.push_back(*r);
        data = data.subspan(kRecordHeaderLength + r->header.length);
    }
    return out;
}

// All handshake messages (header + body views) of one record payload holding whole messages.
std::vector<HandshakeView> messages_of(Bytes payload) {
    std::vector<HandshakeView> out;
    while (!payload.empty()) {
        auto m = decode_handshake(payload);
        REQUIRE(m.ok());
        out.push_back(*m);
        payload = payload.subspan(kHandshakeHeaderLength + m->header.length);
    }
    return out;
}

// The body of the first handshake message in a buffer that starts with a handshake record.
Bytes first_body(const std::vector<std::uint8_t>& flight) {
    auto rec = decode_record(flight);
    REQUIRE(rec.ok());
    REQUIRE(rec->header.type == ContentType::handshake);
    auto msg = decode_handshake(rec->payload);
    REQUIRE(msg.ok());
    return msg->body;
}

std::vector<Event::Kind> kinds(const std::vector<Event>& events) {
    std::vector<Event::Kind> out;
    for (const auto& e : events) out.push_back(e.kind);
    return out;
}

std::vector<HandshakeType> handshake_types(const std::vector<Event>& events) {
    std::vector<HandshakeType> out;
    for (const auto& e : events)
        if (e.kind == Event::Kind::handshake) out.push_back(e.message->type);
    return out;
}

std::vector<std::uint16_t> extension_types(const std::vector<Extension>& exts) {
    std::vector<std::uint16_t> out;
    for (const auto& e : exts) out.push_back(e.type);
    return out;
}

// Feeds a list of (direction, bytes) to a fresh session, in `chunk`-byte pieces.
struct Flight {
    Dir dir;
    const std::vector<std::uint8_t>* bytes;
};
std::vector<Event> run_session(Session& s, const std::vector<Flight>& flights, std::size_t chunk = 0) {
    std::vector<Event> all;
    for (const auto& f : flights) {
        Bytes data(*f.bytes);
        const std::size_t step = chunk ? chunk : data.size();
        for (std::size_t at = 0; at < data.size(); at += step) {
            auto ev = s.feed(f.dir, data.subspan(at, std::min(step, data.size() - at)));
            all.insert(all.end(), std::make_move_iterator(ev.begin()), std::make_move_iterator(ev.end()));
        }
    }
    return all;
}

constexpr auto C = Dir::c2s;
constexpr auto S = Dir::s2c;
using K = Event::Kind;

}  // namespace

// ---------------------------------------------------------------------------
// Record layer
// ---------------------------------------------------------------------------

TEST_CASE("tls: record header of a real ClientHello record", "[tls]") {
    auto h = decode_record_header(kRdpToSslClient1);
    REQUIRE(h.ok());
    CHECK(h->type == ContentType::handshake);
    CHECK(h->version == kTLSv10);  // tshark: tls.record.version 0x0301
    CHECK(h->length == 116);       // 121-byte segment = 5 + 116
}

TEST_CASE("tls: every prefix of a record needs more", "[tls]") {
    const Bytes all(kRdpToSslClient1);
    for (std::size_t n = 0; n < all.size(); ++n) {
        auto r = decode_record(all.first(n));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::need_more);
        CHECK(r.error().needed == (n < kRecordHeaderLength ? kRecordHeaderLength : all.size()));
        if (n < kRecordHeaderLength) {
            auto h = decode_record_header(all.first(n));
            REQUIRE_FALSE(h.ok());
            CHECK(h.error().kind == ErrorKind::need_more);
        }
    }
    CHECK(decode_record(all).ok());
}

TEST_CASE("tls: record headers that are not TLS", "[tls]") {
    SECTION("a TPKT header (Standard RDP Security after the X.224 exchange)") {
        auto h = decode_record_header(hex("03 00 01 a3"));
        REQUIRE_FALSE(h.ok());
        CHECK(h.error().kind == ErrorKind::malformed);
        CHECK(h.error().field == "record.content_type");
        CHECK(h.error().offset == 0);
    }
    SECTION("content type 25 (tls12_cid) is outside 20..24") {
        auto h = decode_record_header(hex("19 03 03 00 10"));
        REQUIRE_FALSE(h.ok());
        CHECK(h.error().field == "record.content_type");
    }
    SECTION("major version not 3") {
        auto h = decode_record_header(hex("16 fe fd 00 10"));
        REQUIRE_FALSE(h.ok());
        CHECK(h.error().field == "record.version");
        CHECK(h.error().offset == 1);
    }
    SECTION("length one over 2^14 + 2048") {
        auto h = decode_record_header(hex("17 03 03 48 01"));
        REQUIRE_FALSE(h.ok());
        CHECK(h.error().kind == ErrorKind::malformed);
        CHECK(h.error().field == "record.length");
        CHECK(h.error().offset == 3);
        auto max = decode_record_header(hex("17 03 03 48 00"));
        REQUIRE(max.ok());
        CHECK(max->length == kMaxRecordLength);
    }
    SECTION("an SSLv2-framed ClientHello") {
        auto h = decode_record_header(hex("80 2e 01 00 02 00 15"));
        REQUIRE_FALSE(h.ok());
        CHECK(h.error().kind == ErrorKind::unsupported);
        CHECK(h.error().field == "record.sslv2");
    }
}

TEST_CASE("tls: ChangeCipherSpec payload", "[tls]") {
    auto recs = records_of(kRdpToSslServer2);
    REQUIRE(recs.size() == 2);
    CHECK(recs[0].header.type == ContentType::change_cipher_spec);
    CHECK(decode_change_cipher_spec(recs[0].payload).ok());
    CHECK(decode_change_cipher_spec(hex("02")).error().field == "change_cipher_spec.type");
    CHECK(decode_change_cipher_spec(hex("")).error().kind == ErrorKind::need_more);
}

// ---------------------------------------------------------------------------
// RecordFramer
// ---------------------------------------------------------------------------

TEST_CASE("tls: framer yields the same records whatever the segmentation", "[tls]") {
    // rdp-to-ssl: the client's second flight is three records in one segment.
    const Bytes flight(kRdpToSslClient2);
    const auto expected = records_of(flight);
    REQUIRE(expected.size() == 3);

    auto frame_in_chunks = [&](std::size_t chunk) {
        RecordFramer f;
        std::vector<std::pair<RecordHeader, std::vector<std::uint8_t>>> got;
        std::vector<std::uint64_t> offsets;
        for (std::size_t at = 0; at < flight.size(); at += chunk) {
            Bytes piece = flight.subspan(at, std::min(chunk, flight.size() - at));
            auto err = push_all(f, piece, [&](const FramedRecord& r) {
                got.emplace_back(r.header, std::vector<std::uint8_t>(r.payload.begin(), r.payload.end()));
                offsets.push_back(r.stream_offset);
            });
            REQUIRE_FALSE(err);
            CHECK(f.buffered() <= kRecordHeaderLength + kMaxRecordLength);
        }
        CHECK(f.buffered() == 0);
        CHECK(f.stream_offset() == flight.size());
        REQUIRE(got.size() == expected.size());
        std::uint64_t off = 0;
        for (std::size_t i = 0; i < got.size(); ++i) {
            CHECK(got[i].first.type == expected[i].header.type);
            CHECK(got[i].first.length == expected[i].header.length);
            CHECK(std::equal(got[i].second.begin(), got[i].second.end(), expected[i].payload.begin(),
                             expected[i].payload.end()));
            CHECK(offsets[i] == off);
            off += kRecordHeaderLength + expected[i].header.length;
        }
    };
    for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5}, std::size_t{7},
                              std::size_t{100}, std::size_t{262}, std::size_t{267}, flight.size()})
        frame_in_chunks(chunk);
}

TEST_CASE("tls: framer across every two-segment split of a server flight", "[tls]") {
    const Bytes flight(kNdpiServer1);  // one 1174-byte record
    for (std::size_t cut = 0; cut <= flight.size(); ++cut) {
        RecordFramer f;
        std::size_t records = 0;
        std::size_t length = 0;
        auto on = [&](const FramedRecord& r) {
            ++records;
            length = r.payload.size();
            CHECK(r.payload.back() == flight.back());
        };
        REQUIRE_FALSE(push_all(f, flight.first(cut), on));
        CHECK(records == (cut == flight.size() ? 1u : 0u));
        REQUIRE_FALSE(push_all(f, flight.subspan(cut), on));
        CHECK(records == 1);
        CHECK(length == 1174);
    }
}

TEST_CASE("tls: framer stops on a bad header and stays stopped", "[tls]") {
    RecordFramer f;
    std::vector<std::uint8_t> stream(kRdpToSslServer2.begin(), kRdpToSslServer2.end());
    stream.insert(stream.end(), {0x16, 0x03, 0x01, 0x48, 0x01});  // length 18433
    std::size_t records = 0;
    auto err = push_all(f, stream, [&](const FramedRecord&) { ++records; });
    CHECK(records == 2);
    REQUIRE(err);
    CHECK(err->field == "record.length");
    CHECK(err->offset == kRdpToSslServer2.size() + 3);  // stream offset of the length field
    CHECK(f.failed());
    auto again = f.push(kRdpToSslServer2);
    CHECK(again.consumed == 0);
    CHECK(again.error);
    CHECK_FALSE(again.record);
}

TEST_CASE("tls: framer buffers at most one maximum-size record", "[tls]") {
    std::vector<std::uint8_t> big = {0x17, 0x03, 0x03, 0x48, 0x00};
    big.resize(kRecordHeaderLength + kMaxRecordLength, 0xab);
    RecordFramer f;
    std::size_t max_buffered = 0;
    std::size_t records = 0;
    for (std::size_t at = 0; at < big.size(); at += 1000) {
        Bytes piece = Bytes(big).subspan(at, std::min<std::size_t>(1000, big.size() - at));
        REQUIRE_FALSE(push_all(f, piece, [&](const FramedRecord& r) {
            ++records;
            CHECK(r.payload.size() == kMaxRecordLength);
        }));
        max_buffered = std::max(max_buffered, f.buffered());
    }
    CHECK(records == 1);
    CHECK(max_buffered < big.size());
    CHECK(f.buffered() == 0);
}

TEST_CASE("tls: a framer skipping application data counts it without gathering it", "[tls]") {
    // An application_data record of 16384 bytes (RFC 5246 6.2.1: the largest
    // plaintext length), split over 1448-byte segments, between two
    // handshake records of the rdp-to-ssl client flight: the application
    // data comes out with its header and stream offset but no payload, the
    // handshake records whole, and nothing of the big one is buffered.
    std::vector<std::uint8_t> stream(kRdpToSslClient2.begin(), kRdpToSslClient2.end());
    const std::size_t app_at = stream.size();
    stream.insert(stream.end(), {0x17, 0x03, 0x03, 0x40, 0x00});
    stream.resize(stream.size() + 16384, 0x5a);
    stream.insert(stream.end(), kRdpToSslClient2.begin(), kRdpToSslClient2.end());
    for (bool skip : {false, true}) {
        RecordFramer f;
        f.skip_application_data(skip);
        std::vector<std::pair<RecordHeader, std::size_t>> got;  // header, payload bytes handed out
        std::vector<std::uint64_t> offsets;
        std::size_t max_buffered = 0;
        for (std::size_t at = 0; at < stream.size(); at += 1448) {
            Bytes piece = Bytes(stream).subspan(at, std::min<std::size_t>(1448, stream.size() - at));
            REQUIRE_FALSE(push_all(f, piece, [&](const FramedRecord& r) {
                got.emplace_back(r.header, r.payload.size());
                offsets.push_back(r.stream_offset);
            }));
            max_buffered = std::max(max_buffered, f.buffered());
        }
        REQUIRE(got.size() == 7);  // 3 handshake records, the application data, 3 again
        CHECK(got[3].first.type == ContentType::application_data);
        CHECK(got[3].first.length == 16384);
        CHECK(offsets[3] == app_at);
        CHECK(got[3].second == (skip ? 0u : 16384u));
        for (std::size_t i : {0, 1, 2, 4, 5, 6}) CHECK(got[i].second == got[i].first.length);
        CHECK(offsets[4] == app_at + 5 + 16384);
        CHECK(f.stream_offset() == stream.size());
        CHECK(f.buffered() == 0);
        if (skip) CHECK(max_buffered < 1448 + kRecordHeaderLength);
    }
}

// ---------------------------------------------------------------------------
// HandshakeAssembler
// ---------------------------------------------------------------------------

TEST_CASE("tls: assembler joins a Certificate spread over many records", "[tls]") {
    // rdp-to-ssl server flight: one record holding ServerHello(70), Certificate(772),
    // ServerHelloDone(0).  Re-cut its payload into records of n bytes, as a server with
    // a small record size would send it.
    auto rec = decode_record(kRdpToSslServer1);
    REQUIRE(rec.ok());
    const Bytes payload = rec->payload;
    const auto expected = messages_of(payload);
    REQUIRE(expected.size() == 3);
    for (std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{4}, std::size_t{100}, std::size_t{512},
                          payload.size()}) {
        HandshakeAssembler a;
        std::vector<HandshakeMessage> got;
        for (std::size_t at = 0; at < payload.size(); at += n) {
            auto res = a.push(payload.subspan(at, std::min(n, payload.size() - at)));
            REQUIRE_FALSE(res.error);
            for (auto& m : res.messages) got.push_back(std::move(m));
        }
        CHECK_FALSE(a.pending());
        REQUIRE(got.size() == 3);
        for (std::size_t i = 0; i < 3; ++i) {
            CHECK(got[i].type == expected[i].header.type);
            CHECK(got[i].length == expected[i].header.length);
            CHECK_FALSE(got[i].encrypted);
            CHECK(std::equal(got[i].body.begin(), got[i].body.end(), expected[i].body.begin(),
                             expected[i].body.end()));
        }
        CHECK(got[1].type == HandshakeType::certificate);
        CHECK(got[1].length == 772);
    }
}

TEST_CASE("tls: assembler waits on every prefix and refuses oversized messages", "[tls]") {
    auto rec = decode_record(kRdpToSslServer1);
    REQUIRE(rec.ok());
    const Bytes payload = rec->payload;
    SECTION("a prefix never yields the message it cuts") {
        for (std::size_t n = 0; n < 4 + 70; ++n) {
            HandshakeAssembler a;
            auto res = a.push(payload.first(n));
            CHECK(res.messages.empty());
            CHECK_FALSE(res.error);
            CHECK(a.pending() == (n > 0));
            CHECK(a.buffered() == n);
        }
    }
    SECTION("a message over the cap is reported once and skipped, the next one still comes") {
        HandshakeAssembler a(500);  // the 772-byte Certificate is over it
        std::vector<HandshakeType> types;
        std::vector<DecodeError> errors;
        for (std::size_t at = 0; at < payload.size(); at += 100) {
            auto res = a.push(payload.subspan(at, std::min<std::size_t>(100, payload.size() - at)));
            for (auto& m : res.messages) types.push_back(m.type);
            if (res.error) errors.push_back(*res.error);
            CHECK(a.buffered() <= 4 + 500);
        }
        CHECK(types == std::vector<HandshakeType>{HandshakeType::server_hello, HandshakeType::server_hello_done});
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].kind == ErrorKind::unsupported);
        CHECK(errors[0].field == "handshake.length");
        CHECK(errors[0].needed == 4 + 772);
        CHECK_FALSE(a.pending());
    }
}

TEST_CASE("tls: encrypted handshake records are reported, not parsed", "[tls]") {
    auto recs = records_of(kRdpToSslClient2);
    REQUIRE(recs.size() == 3);
    REQUIRE(recs[2].header.type == ContentType::handshake);
    HandshakeAssembler a;
    auto res = a.push(recs[2].payload, /*encrypted=*/true);
    REQUIRE(res.messages.size() == 1);
    CHECK(res.messages[0].encrypted);
    CHECK(res.messages[0].length == 48);  // tshark: "Encrypted Handshake Message", length 48
    CHECK(res.messages[0].body.empty());
    CHECK_FALSE(res.error);

    // The same bytes taken as plaintext are garbage: type 0xfe, length 0xd22d1e.
    HandshakeAssembler plain;
    auto garbage = plain.push(recs[2].payload);
    CHECK(garbage.messages.empty());
    REQUIRE(garbage.error);
    CHECK(garbage.error->field == "handshake.length");
    CHECK(garbage.error->needed == 4 + 0xd22d1e);
    CHECK(plain.pending());
    // ... and the key change while that "message" is pending is an error (RFC 8446 5.1).
    auto res2 = plain.push(recs[2].payload, true);
    REQUIRE(res2.error);
    CHECK(res2.error->field == "handshake.key_change");
    CHECK(res2.messages.size() == 1);
    CHECK_FALSE(plain.pending());
}

TEST_CASE("tls: every prefix of a handshake message needs more", "[tls]") {
    auto rec = decode_record(kRdpToSslServer1);
    REQUIRE(rec.ok());
    const Bytes sh_and_rest = rec->payload;
    const std::size_t total = 4 + 70;  // ServerHello
    for (std::size_t n = 0; n < total; ++n) {
        auto m = decode_handshake(sh_and_rest.first(n));
        REQUIRE_FALSE(m.ok());
        CHECK(m.error().kind == ErrorKind::need_more);
        CHECK(m.error().needed == (n < 4 ? 4u : total));
    }
    auto m = decode_handshake(sh_and_rest.first(total));
    REQUIRE(m.ok());
    CHECK(m->header.type == HandshakeType::server_hello);
}

// ---------------------------------------------------------------------------
// ClientHello
// ---------------------------------------------------------------------------

TEST_CASE("tls: ClientHello of Windows 7 mstsc (rdp-to-ssl)", "[tls]") {
    auto ch = decode_client_hello(first_body(kRdpToSslClient1));
    REQUIRE(ch.ok());
    CHECK(ch->legacy_version == kTLSv10);
    CHECK(ch->random[0] == 0x4d);  // gmt_unix_time 0x4d570ec5 = 2011-02-12
    CHECK(ch->random[3] == 0xc5);
    CHECK(ch->session_id.empty());
    // tshark: tls.handshake.ciphersuite
    CHECK(ch->cipher_suites == std::vector<std::uint16_t>{0x002f, 0x0035, 0x0005, 0x000a, 0xc013, 0xc014, 0xc009,
                                                          0xc00a, 0x0032, 0x0038, 0x0013, 0x0004});
    CHECK(ch->compression_methods == std::vector<std::uint8_t>{0});
    CHECK(ch->has_extensions);
    CHECK(extension_types(ch->extensions) == std::vector<std::uint16_t>{0, 5, 10, 11});
    CHECK(ch->find_extension(ext::status_request)->length == 5);
    // Zeek ssl.log server_name: an IP literal, as RDP clients send it.
    CHECK(ch->server_name() == std::optional<std::string>("192.168.1.150"));
    CHECK(ch->supported_groups == std::vector<std::uint16_t>{23, 24});
    CHECK(ch->ec_point_formats == std::vector<std::uint8_t>{0});
    CHECK(ch->supported_versions.empty());
    CHECK(ch->max_version() == kTLSv10);
    CHECK_FALSE(ch->extended_master_secret);
    CHECK_FALSE(ch->renegotiation_info);
}

TEST_CASE("tls: ClientHello of the HYBRID_EX client (rdp-no-cookie-mstshash)", "[tls]") {
    auto ch = decode_client_hello(first_body(kNoCookieClient1));
    REQUIRE(ch.ok());
    CHECK(ch->legacy_version == kTLSv12);
    CHECK(ch->cipher_suites.size() == 21);
    CHECK(ch->cipher_suites.front() == 0xc02c);
    CHECK(ch->cipher_suites.back() == 0x000a);
    CHECK(extension_types(ch->extensions) == std::vector<std::uint16_t>{10, 11, 13, 35, 23, 65281});
    CHECK_FALSE(ch->server_name());  // Zeek ssl.log: server_name "-"
    CHECK(ch->supported_groups == std::vector<std::uint16_t>{0x001d, 0x0017, 0x0018});
    CHECK(ch->signature_algorithms == std::vector<std::uint16_t>{0x0401, 0x0501, 0x0201, 0x0403, 0x0503, 0x0203,
                                                                 0x0202, 0x0601, 0x0603});
    CHECK(ch->extended_master_secret);
    CHECK(ch->renegotiation_info);
}

TEST_CASE("tls: ClientHello with the renegotiation SCSV (ndpi rdp.pcap)", "[tls]") {
    auto ch = decode_client_hello(first_body(kNdpiClient1));
    REQUIRE(ch.ok());
    CHECK(ch->legacy_version == kTLSv12);
    CHECK(ch->cipher_suites.size() == 22);
    CHECK(ch->cipher_suites.front() == 0x00ff);  // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
    CHECK(ch->renegotiation_info);               // RFC 5746 3.3
    CHECK(ch->server_names == std::vector<std::string>{"192.168.2.142"});
    CHECK(extension_types(ch->extensions) == std::vector<std::uint16_t>{0, 10, 11, 13, 5, 18, 23});
    CHECK(ch->supported_groups == std::vector<std::uint16_t>{23, 24, 25});
    CHECK(ch->signature_algorithms.size() == 8);
    CHECK(ch->find_extension(18)->length == 0);  // signed_certificate_timestamp, kept as type + length
}

TEST_CASE("tls: TLS 1.3 ClientHello (lab tls13)", "[tls]") {
    auto ch = decode_client_hello(first_body(kTls13Client1));
    REQUIRE(ch.ok());
    CHECK(ch->legacy_version == kTLSv12);
    CHECK(ch->session_id.size() == 32);  // RFC 8446 D.4 compatibility mode
    CHECK(ch->cipher_suites == std::vector<std::uint16_t>{0x1302, 0x1303, 0x1301, 0x00ff});
    CHECK(extension_types(ch->extensions) ==
          std::vector<std::uint16_t>{0, 11, 10, 35, 16, 22, 23, 13, 43, 45, 51});
    CHECK(ch->server_name() == std::optional<std::string>("rdp.lab.test"));
    CHECK(ch->alpn == std::vector<std::string>{"h2", "http/1.1"});
    CHECK(ch->supported_versions == std::vector<std::uint16_t>{kTLSv13});
    CHECK(ch->key_share_groups == std::vector<std::uint16_t>{29});
    CHECK(ch->supported_groups ==
          std::vector<std::uint16_t>{0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104});
    CHECK(ch->signature_algorithms.size() == 14);
    CHECK(ch->signature_algorithms[3] == 0x0807);  // ed25519
    CHECK(ch->max_version() == kTLSv13);
    CHECK(version_name_zeek(ch->max_version()) == "TLSv13");
}

TEST_CASE("tls: ClientHello body prefixes and lying lengths", "[tls]") {
    // rdp-to-ssl ClientHello body: version 0..1, random 2..33, session_id length 34,
    // cipher_suites length 35..36 (24), suites 37..60, compression length 61, method 62,
    // extensions length 63..64 (47), server_name type 65..66, length 67..68 (18),
    // ServerNameList length 69..70 (16).
    const Bytes good = first_body(kRdpToSslClient1);
    REQUIRE(good.size() == 112);
    auto with = [&](std::size_t at, std::initializer_list<std::uint8_t> bytes) {
        std::vector<std::uint8_t> v(good.begin(), good.end());
        std::copy(bytes.begin(), bytes.end(), v.begin() + static_cast<std::ptrdiff_t>(at));
        return v;
    };

    SECTION("the only prefix that decodes is the one ending before the extensions") {
        for (std::size_t n = 0; n < good.size(); ++n) {
            auto ch = decode_client_hello(good.first(n));
            CHECK(ch.ok() == (n == 63));
            if (ch.ok()) CHECK_FALSE(ch->has_extensions);
        }
    }
    SECTION("a server_name extension longer than the block") {
        auto v = with(67, {0x00, 0xff});
        auto ch = decode_client_hello(v);
        REQUIRE_FALSE(ch.ok());
        CHECK(ch.error().kind == ErrorKind::malformed);
        CHECK(ch.error().field == "client_hello.extension.length");
        CHECK(ch.error().offset == 67);
    }
    SECTION("an extensions block longer than the body") {
        auto ch = decode_client_hello(with(63, {0x00, 0x30}));
        REQUIRE_FALSE(ch.ok());
        CHECK(ch.error().field == "client_hello.extensions");
        CHECK(ch.error().offset == 63);
    }
    SECTION("a ServerNameList longer than its extension") {
        auto ch = decode_client_hello(with(69, {0x00, 0x11}));
        REQUIRE_FALSE(ch.ok());
        CHECK(ch.error().field == "server_name.list");
        CHECK(ch.error().offset == 69);
    }
    SECTION("an odd cipher_suites length") {
        auto ch = decode_client_hello(with(35, {0x00, 0x17}));
        REQUIRE_FALSE(ch.ok());
        CHECK(ch.error().field == "client_hello.cipher_suites");
        CHECK(ch.error().offset == 35);
    }
    SECTION("a session id over 32 bytes") {
        auto ch = decode_client_hello(with(34, {33}));
        REQUIRE_FALSE(ch.ok());
        CHECK(ch.error().field == "client_hello.session_id");
    }
    SECTION("no compression method") {
        std::vector<std::uint8_t> v(good.begin(), good.begin() + 61);
        v.push_back(0);
        auto ch = decode_client_hello(v);
        REQUIRE_FALSE(ch.ok());
        CHECK(ch.error().field == "client_hello.compression_methods");
    }
    SECTION("bytes after the extensions") {
        std::vector<std::uint8_t> v(good.begin(), good.end());
        v.push_back(0);
        CHECK(decode_client_hello(v).error().field == "client_hello.trailing");
    }
}

// ---------------------------------------------------------------------------
// ServerHello
// ---------------------------------------------------------------------------

TEST_CASE("tls: ServerHello of Windows Server 2008 R2 (rdp-to-ssl)", "[tls]") {
    auto sh = decode_server_hello(first_body(kRdpToSslServer1));
    REQUIRE(sh.ok());
    CHECK(sh->legacy_version == kTLSv10);
    CHECK(sh->version() == kTLSv10);
    CHECK(sh->session_id.size() == 32);
    CHECK(sh->cipher_suite == 0x002f);
    CHECK(cipher_suite_name(sh->cipher_suite) == "TLS_RSA_WITH_AES_128_CBC_SHA");  // Zeek ssl.log cipher
    CHECK(sh->compression_method == 0);
    CHECK_FALSE(sh->has_extensions);
    CHECK_FALSE(sh->hello_retry_request);
    CHECK_FALSE(sh->is_tls13());
    CHECK(sh->downgrade_sentinel == 0);
}

TEST_CASE("tls: ServerHello with extensions (rdp-no-cookie-mstshash, ndpi)", "[tls]") {
    auto sh = decode_server_hello(first_body(kNoCookieServer1));
    REQUIRE(sh.ok());
    CHECK(sh->version() == kTLSv12);
    CHECK(version_name_zeek(sh->version()) == "TLSv12");
    CHECK(cipher_suite_name(sh->cipher_suite) == "TLS_RSA_WITH_AES_256_GCM_SHA384");
    CHECK(extension_types(sh->extensions) == std::vector<std::uint16_t>{23, 65281});
    CHECK(sh->extended_master_secret);
    CHECK(sh->renegotiation_info);

    auto ecdhe = decode_server_hello(first_body(kNdpiServer1));
    REQUIRE(ecdhe.ok());
    CHECK(ecdhe->cipher_suite == 0xc030);
    CHECK(cipher_suite_name(ecdhe->cipher_suite) == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    CHECK(key_exchange_of(ecdhe->cipher_suite) == KeyExchange::ecdhe);
}

TEST_CASE("tls: ServerHello downgrade sentinel", "[tls]") {
    const Bytes body = first_body(kNoCookieServer1);
    std::vector<std::uint8_t> v(body.begin(), body.end());
    const std::uint8_t downgrd[] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01};  // RFC 8446 4.1.3
    std::copy(std::begin(downgrd), std::end(downgrd), v.begin() + 2 + 24);
    auto sh = decode_server_hello(v);
    REQUIRE(sh.ok());
    CHECK(sh->downgrade_sentinel == kTLSv12);
}

TEST_CASE("tls: TLS 1.3 ServerHello (lab tls13)", "[tls]") {
    auto recs = records_of(kTls13Server1);
    REQUIRE(recs.size() == 3);
    CHECK(recs[1].header.type == ContentType::change_cipher_spec);
    CHECK(recs[2].header.type == ContentType::application_data);
    auto sh = decode_server_hello(first_body(kTls13Server1));
    REQUIRE(sh.ok());
    CHECK(sh->legacy_version == kTLSv12);
    CHECK(sh->selected_version == std::optional<std::uint16_t>(kTLSv13));
    CHECK(sh->version() == kTLSv13);
    CHECK(sh->is_tls13());
    CHECK_FALSE(sh->hello_retry_request);
    CHECK(sh->cipher_suite == 0x1302);
    CHECK(cipher_suite_name(sh->cipher_suite) == "TLS_AES_256_GCM_SHA384");
    CHECK(key_exchange_of(sh->cipher_suite) == KeyExchange::tls13);
    CHECK(sh->key_share_group == std::optional<std::uint16_t>(29));
    CHECK(named_group_name(*sh->key_share_group) == "x25519");
    CHECK(extension_types(sh->extensions) == std::vector<std::uint16_t>{43, 51});
    // The session id is the client's, echoed (RFC 8446 4.1.3 legacy_session_id_echo).
    auto ch = decode_client_hello(first_body(kTls13Client1));
    REQUIRE(ch.ok());
    CHECK(std::equal(sh->session_id.begin(), sh->session_id.end(), ch->session_id.begin(), ch->session_id.end()));
}

TEST_CASE("tls: HelloRetryRequest (lab hrr)", "[tls]") {
    auto ch1 = decode_client_hello(first_body(kHrrClient1));
    REQUIRE(ch1.ok());
    CHECK(ch1->key_share_groups == std::vector<std::uint16_t>{29});
    CHECK(ch1->supported_groups == std::vector<std::uint16_t>{29, 23});

    auto hrr = decode_server_hello(first_body(kHrrServer1));
    REQUIRE(hrr.ok());
    CHECK(hrr->hello_retry_request);
    CHECK_FALSE(hrr->is_tls13());  // not yet: the client must send a second ClientHello
    CHECK(hrr->version() == kTLSv13);
    CHECK(hrr->key_share_group == std::optional<std::uint16_t>(23));  // selected_group secp256r1
    CHECK(hrr->random[0] == 0xcf);

    auto recs = records_of(kHrrClient2);
    REQUIRE(recs.size() == 2);
    CHECK(recs[0].header.type == ContentType::change_cipher_spec);
    auto msgs = messages_of(recs[1].payload);
    REQUIRE(msgs.size() == 1);
    auto ch2 = decode_client_hello(msgs[0].body);
    REQUIRE(ch2.ok());
    CHECK(ch2->key_share_groups == std::vector<std::uint16_t>{23});

    auto sh = decode_server_hello(first_body(kHrrServer2));
    REQUIRE(sh.ok());
    CHECK_FALSE(sh->hello_retry_request);
    CHECK(sh->is_tls13());
    CHECK(sh->key_share_group == std::optional<std::uint16_t>(23));
}

// ---------------------------------------------------------------------------
// Certificate, key exchange, CertificateRequest, ServerHelloDone, NewSessionTicket
// ---------------------------------------------------------------------------

TEST_CASE("tls: server flights message by message", "[tls]") {
    SECTION("rdp-to-ssl: ServerHello, Certificate, ServerHelloDone share one record") {
        auto recs = records_of(kRdpToSslServer1);
        REQUIRE(recs.size() == 1);
        auto msgs = messages_of(recs[0].payload);
        REQUIRE(msgs.size() == 3);
        CHECK(msgs[1].header.type == HandshakeType::certificate);
        auto cert = decode_certificate(msgs[1].body);
        REQUIRE(cert.ok());
        REQUIRE(cert->certs.size() == 1);
        CHECK(cert->certs[0].size() == 766);  // tshark: tls.handshake.certificate_length
        CHECK(cert->certs[0][0] == 0x30);
        CHECK(msgs[2].header.type == HandshakeType::server_hello_done);
        CHECK(decode_server_hello_done(msgs[2].body).ok());
        CHECK(decode_server_hello_done(msgs[1].body).error().field == "server_hello_done.length");
    }
    SECTION("ndpi rdp.pcap: ECDHE ServerKeyExchange") {
        auto msgs = messages_of(records_of(kNdpiServer1).at(0).payload);
        REQUIRE(msgs.size() == 4);
        CHECK(msgs[2].header.type == HandshakeType::server_key_exchange);
        auto ske = decode_server_key_exchange(msgs[2].body, 0xc030, kTLSv12);
        REQUIRE(ske.ok());
        CHECK(ske->kex == KeyExchange::ecdhe);
        CHECK(ske->curve_type == 3);  // named_curve
        CHECK(ske->named_group == std::optional<std::uint16_t>(0x0017));
        CHECK(named_group_name(*ske->named_group) == "secp256r1");
        CHECK(ske->public_key_length == 65);  // uncompressed P-256 point
        CHECK(ske->signature_scheme == std::optional<std::uint16_t>(0x0401));
        CHECK(signature_scheme_name(*ske->signature_scheme) == "rsa_pkcs1_sha256");
        CHECK(ske->signature_length == 256);
        // Cut one byte off the signature: its length now lies.
        auto cut = decode_server_key_exchange(msgs[2].body.first(msgs[2].body.size() - 1), 0xc030, kTLSv12);
        REQUIRE_FALSE(cut.ok());
        CHECK(cut.error().field == "server_key_exchange.signature");
        // An RSA suite has no ServerKeyExchange we decode.
        CHECK(decode_server_key_exchange(msgs[2].body, 0x002f, kTLSv12).error().kind == ErrorKind::unsupported);
    }
    SECTION("lab dhe: DHE ServerKeyExchange with a 2048-bit group") {
        auto msgs = messages_of(records_of(kDheServerKeyExchange).at(0).payload);
        REQUIRE(msgs.size() == 1);
        auto ske = decode_server_key_exchange(msgs[0].body, 0x009e, kTLSv12);
        REQUIRE(ske.ok());
        CHECK(ske->kex == KeyExchange::dhe);
        CHECK(ske->dh_p_bits == 2048);  // tshark: tls.handshake.p_len 256
        CHECK(ske->public_key_length == 256);
        CHECK(ske->signature_scheme == std::optional<std::uint16_t>(0x0804));
        CHECK(signature_scheme_name(0x0804) == "rsa_pss_rsae_sha256");
        CHECK_FALSE(ske->named_group);
    }
    SECTION("lab certreq: CertificateRequest then ServerHelloDone") {
        auto recs = records_of(kCertReqServerTail);
        REQUIRE(recs.size() == 2);
        auto msgs = messages_of(recs[0].payload);
        REQUIRE(msgs.size() == 1);
        CHECK(msgs[0].header.type == HandshakeType::certificate_request);
        auto cr = decode_certificate_request(msgs[0].body, kTLSv12);
        REQUIRE(cr.ok());
        CHECK(cr->certificate_types == std::vector<std::uint8_t>{1, 2, 64});  // rsa_sign, dss_sign, ecdsa_sign
        CHECK(cr->signature_algorithms.size() == 20);
        CHECK(cr->signature_algorithms.front() == 0x0403);
        CHECK(cr->signature_algorithms.back() == 0x0602);
        CHECK(cr->certificate_authorities.empty());
        // Read as TLS 1.1 (no signature algorithms) the same bytes do not add up.
        CHECK_FALSE(decode_certificate_request(msgs[0].body, kTLSv11).ok());
        CHECK(decode_certificate_request(msgs[0].body, kTLSv13).error().kind == ErrorKind::unsupported);
    }
}

TEST_CASE("tls: client key exchange flights", "[tls]") {
    SECTION("RSA: a 256-byte EncryptedPreMasterSecret (rdp-to-ssl)") {
        auto msgs = messages_of(records_of(kRdpToSslClient2).at(0).payload);
        REQUIRE(msgs.size() == 1);
        auto cke = decode_client_key_exchange(msgs[0].body, 0x002f, kTLSv10);
        REQUIRE(cke.ok());
        CHECK(cke->kex == KeyExchange::rsa);
        CHECK(cke->length == 258);
        CHECK(cke->exchange_length == std::optional<std::size_t>(256));  // tshark: tls.handshake.epms_len
    }
    SECTION("ECDHE: a 65-byte point (ndpi rdp.pcap)") {
        auto msgs = messages_of(records_of(kNdpiClient2).at(0).payload);
        auto cke = decode_client_key_exchange(msgs.at(0).body, 0xc030, kTLSv12);
        REQUIRE(cke.ok());
        CHECK(cke->exchange_length == std::optional<std::size_t>(65));  // tshark: client_point_len
    }
    SECTION("lab certreq: an empty client Certificate, then an x25519 ClientKeyExchange") {
        auto recs = records_of(kCertReqClient2);
        REQUIRE(recs.size() == 4);
        auto cert_msgs = messages_of(recs[0].payload);
        REQUIRE(cert_msgs.size() == 1);
        auto cert = decode_certificate(cert_msgs[0].body);
        REQUIRE(cert.ok());
        CHECK(cert->certs.empty());
        auto cke = decode_client_key_exchange(messages_of(recs[1].payload).at(0).body, 0xc030, kTLSv12);
        REQUIRE(cke.ok());
        CHECK(cke->exchange_length == std::optional<std::size_t>(32));
        CHECK(recs[2].header.type == ContentType::change_cipher_spec);
    }
}

TEST_CASE("tls: Certificate message edge cases", "[tls]") {
    // TLS 1.2 list with one 3-byte "certificate".
    auto one = decode_certificate(hex("000006 000003 300100"));
    REQUIRE(one.ok());
    REQUIRE(one->certs.size() == 1);
    CHECK(one->certs[0].size() == 3);
    // A zero-length ASN.1Cert is not allowed (<1..2^24-1>).
    CHECK(decode_certificate(hex("000003 000000")).error().field == "certificate.cert");
    // An entry running past the list.
    CHECK(decode_certificate(hex("000006 000009 300100")).error().field == "certificate.cert");
    // TLS 1.3 form: context, then entries with extensions (RFC 8446 4.4.2).
    auto t13 = decode_certificate(hex("00 000008 000003 300100 0000"), true);
    REQUIRE(t13.ok());
    CHECK(t13->certs.size() == 1);
    CHECK(decode_certificate(hex("00 000008 000003 300100 0001"), true).error().field == "certificate.extensions");
}

TEST_CASE("tls: NewSessionTicket and Finished bodies", "[tls]") {
    auto t = decode_new_session_ticket(hex("00001c20 0003 aabbcc"));
    REQUIRE(t.ok());
    CHECK(t->lifetime_hint == 7200);
    CHECK(t->ticket_length == 3);
    CHECK(decode_new_session_ticket(hex("00001c20 0004 aabbcc")).error().field == "new_session_ticket.ticket");
    auto f = decode_finished(hex("000102030405060708090a0b"));
    REQUIRE(f.ok());
    CHECK(f->verify_data_length == 12);
}

// ---------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------

TEST_CASE("tls: alerts from real exchanges", "[tls]") {
    SECTION("a TLS 1.2-only server refuses a TLS 1.3-only client (lab version_alert)") {
        auto ch = decode_client_hello(first_body(kVersionAlertClient));
        REQUIRE(ch.ok());
        CHECK(ch->supported_versions == std::vector<std::uint16_t>{kTLSv13});
        CHECK(ch->max_version() == kTLSv13);
        auto rec = decode_record(kVersionAlertServer);
        REQUIRE(rec.ok());
        CHECK(rec->header.type == ContentType::alert);
        CHECK(rec->header.version == kTLSv12);
        auto a = decode_alert(rec->payload);
        REQUIRE(a.ok());
        CHECK(a->level == 2);
        CHECK(a->description == 70);
        CHECK(alert_level_name(a->level) == "fatal");
        CHECK(alert_description_name(a->description) == "protocol_version");
    }
    SECTION("a client that does not trust the server's CA (lab unknown_ca)") {
        auto ch = decode_client_hello(first_body(kUnknownCaClientHello));
        REQUIRE(ch.ok());
        CHECK(ch->server_name() == std::optional<std::string>("wrong.example"));
        auto a = decode_alert(decode_record(kUnknownCaAlert)->payload);
        REQUIRE(a.ok());
        CHECK(alert_level_name(a->level) == "fatal");
        CHECK(alert_description_name(a->description) == "unknown_ca");
    }
    SECTION("an encrypted alert is not two bytes (ndpi rdp_over_tls)") {
        auto rec = decode_record(kOverTlsEncryptedAlert);
        REQUIRE(rec.ok());
        CHECK(rec->header.type == ContentType::alert);
        CHECK(rec->header.length == 26);
        CHECK(decode_alert(rec->payload).error().field == "alert.length");
        CHECK(decode_alert(rec->payload.first(1)).error().kind == ErrorKind::need_more);
    }
}

TEST_CASE("tls: alert names of RFC 8446 6 and RFC 5246 7.2", "[tls]") {
    const std::pair<int, const char*> expected[] = {
        {0, "close_notify"},         {10, "unexpected_message"},       {20, "bad_record_mac"},
        {21, "decryption_failed"},   {22, "record_overflow"},          {40, "handshake_failure"},
        {42, "bad_certificate"},     {43, "unsupported_certificate"},  {44, "certificate_revoked"},
        {45, "certificate_expired"}, {46, "certificate_unknown"},      {47, "illegal_parameter"},
        {48, "unknown_ca"},          {49, "access_denied"},            {50, "decode_error"},
        {51, "decrypt_error"},       {70, "protocol_version"},         {71, "insufficient_security"},
        {80, "internal_error"},      {86, "inappropriate_fallback"},   {90, "user_canceled"},
        {100, "no_renegotiation"},   {109, "missing_extension"},       {110, "unsupported_extension"},
        {112, "unrecognized_name"},  {113, "bad_certificate_status_response"},
        {115, "unknown_psk_identity"}, {116, "certificate_required"},  {120, "no_application_protocol"},
    };
    for (const auto& [code, name] : expected) {
        INFO(code);
        CHECK(alert_description_name(static_cast<std::uint8_t>(code)) == name);
    }
    CHECK(alert_description_name(200) == "unknown-200");
    CHECK(alert_level_name(1) == "warning");
    CHECK(alert_level_name(3) == "unknown-3");
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

TEST_CASE("tls: version names as Zeek and Wireshark write them", "[tls]") {
    CHECK(version_name_zeek(kSSLv3) == "SSLv3");
    CHECK(version_name_zeek(kTLSv10) == "TLSv10");
    CHECK(version_name_zeek(kTLSv11) == "TLSv11");
    CHECK(version_name_zeek(kTLSv12) == "TLSv12");
    CHECK(version_name_zeek(kTLSv13) == "TLSv13");
    CHECK(version_name_zeek(0x7f17) == "TLSv13-draft23");
    CHECK(version_name_zeek(0x1234) == "unknown-4660");
    CHECK(version_name_wireshark(kSSLv3) == "SSL 3.0");
    CHECK(version_name_wireshark(kTLSv10) == "TLS 1.0");
    CHECK(version_name_wireshark(kTLSv12) == "TLS 1.2");
    CHECK(version_name_wireshark(kTLSv13) == "TLS 1.3");
    CHECK(version_name_wireshark(0x7f1c) == "TLS 1.3 (draft 28)");
    CHECK(version_name_wireshark(0x7a7a) == "Reserved (GREASE)");
    CHECK(version_name_wireshark(0x1234) == "Unknown (0x1234)");
}

TEST_CASE("tls: cipher suite names", "[tls]") {
    // Every suite offered by the captured clients (Windows 7, Windows 10/11, OpenSSL 3) has
    // a name, and it is the one tshark 4.0 prints for that code point.
    CHECK(cipher_suite_name(0x002f) == "TLS_RSA_WITH_AES_128_CBC_SHA");
    CHECK(cipher_suite_name(0x0035) == "TLS_RSA_WITH_AES_256_CBC_SHA");
    CHECK(cipher_suite_name(0x0005) == "TLS_RSA_WITH_RC4_128_SHA");
    CHECK(cipher_suite_name(0x0004) == "TLS_RSA_WITH_RC4_128_MD5");
    CHECK(cipher_suite_name(0x000a) == "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    CHECK(cipher_suite_name(0x0013) == "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA");
    CHECK(cipher_suite_name(0x0032) == "TLS_DHE_DSS_WITH_AES_128_CBC_SHA");
    CHECK(cipher_suite_name(0x009d) == "TLS_RSA_WITH_AES_256_GCM_SHA384");
    CHECK(cipher_suite_name(0x009f) == "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");
    CHECK(cipher_suite_name(0xc013) == "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    CHECK(cipher_suite_name(0xc02b) == "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    CHECK(cipher_suite_name(0xc030) == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    CHECK(cipher_suite_name(0xcca8) == "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    CHECK(cipher_suite_name(0x1301) == "TLS_AES_128_GCM_SHA256");
    CHECK(cipher_suite_name(0x1302) == "TLS_AES_256_GCM_SHA384");
    CHECK(cipher_suite_name(0x1303) == "TLS_CHACHA20_POLY1305_SHA256");
    CHECK(cipher_suite_name(0x00ff) == "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    CHECK(cipher_suite_name(0x5600) == "TLS_FALLBACK_SCSV");
    CHECK(cipher_suite_name(0x0062) == "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA");
    CHECK(cipher_suite_name(0x0034) == "TLS_DH_anon_WITH_AES_128_CBC_SHA");
    CHECK(cipher_suite_name(0x1234) == "unknown (0x1234)");
    CHECK(cipher_suite_name(0x0a0a) == "GREASE (0x0a0a)");
    CHECK(find_cipher_suite(0xc030)->id == 0xc030);
    CHECK(find_cipher_suite(0xffff) == nullptr);
    // All suites of the four captured ClientHellos are known.
    for (const auto* flight : {&kRdpToSslClient1, &kNoCookieClient1, &kNdpiClient1, &kTls13Client1}) {
        auto ch = decode_client_hello(first_body(*flight));
        REQUIRE(ch.ok());
        for (auto s : ch->cipher_suites) {
            INFO(s);
            CHECK(find_cipher_suite(s) != nullptr);
        }
    }
}

TEST_CASE("tls: key exchange, group, signature scheme and extension names", "[tls]") {
    CHECK(key_exchange_of(0x002f) == KeyExchange::rsa);
    CHECK(key_exchange_of(0x009e) == KeyExchange::dhe);
    CHECK(key_exchange_of(0xc02b) == KeyExchange::ecdhe);
    CHECK(key_exchange_of(0xc018) == KeyExchange::ecdh_anon);
    CHECK(key_exchange_of(0xc035) == KeyExchange::ecdhe_psk);
    CHECK(key_exchange_of(0x0003) == KeyExchange::rsa_export);
    CHECK(key_exchange_of(0x1303) == KeyExchange::tls13);
    CHECK(key_exchange_of(0x1234) == KeyExchange::unknown);
    CHECK(to_string(KeyExchange::ecdhe) == "ECDHE");
    CHECK(named_group_name(23) == "secp256r1");
    CHECK(named_group_name(24) == "secp384r1");
    CHECK(named_group_name(29) == "x25519");
    CHECK(named_group_name(0x0100) == "ffdhe2048");
    CHECK(named_group_name(0x11ec) == "X25519MLKEM768");
    CHECK(named_group_name(0x2a2a) == "GREASE (0x2a2a)");
    CHECK(named_group_name(0x4242) == "unknown (0x4242)");
    CHECK(signature_scheme_name(0x0401) == "rsa_pkcs1_sha256");
    CHECK(signature_scheme_name(0x0403) == "ecdsa_secp256r1_sha256");
    CHECK(signature_scheme_name(0x0201) == "rsa_pkcs1_sha1");
    CHECK(signature_scheme_name(0x0807) == "ed25519");
    CHECK(signature_scheme_name(0x0809) == "rsa_pss_pss_sha256");
    CHECK(extension_name(0) == "server_name");
    CHECK(extension_name(16) == "application_layer_protocol_negotiation");
    CHECK(extension_name(43) == "supported_versions");
    CHECK(extension_name(65281) == "renegotiation_info");
    CHECK(extension_name(1234) == "unknown (1234)");
    CHECK(handshake_type_name(HandshakeType::server_key_exchange) == "server_key_exchange");
    CHECK(handshake_type_name(static_cast<HandshakeType>(99)) == "unknown (99)");
    CHECK(content_type_name(ContentType::application_data) == "application_data");
    CHECK(is_grease(0xfafa));
    CHECK_FALSE(is_grease(0x0a1a));
}

// ---------------------------------------------------------------------------
// Session: the ssl.log view, compared with Zeek's baselines
// (zeek/baselines/scripts.base.protocols.rdp.rdp-*__ssl.log)
// ---------------------------------------------------------------------------

TEST_CASE("tls: session rdp-to-ssl matches Zeek's ssl.log", "[tls]") {
    Session s;
    auto events = run_session(s, {{C, &kRdpToSslClient1}, {S, &kRdpToSslServer1}, {C, &kRdpToSslClient2},
                                  {S, &kRdpToSslServer2}});
    CHECK(kinds(events) == std::vector<K>{K::handshake, K::handshake, K::handshake, K::handshake, K::handshake,
                                          K::change_cipher_spec, K::encrypted_handshake, K::change_cipher_spec,
                                          K::encrypted_handshake});
    CHECK(handshake_types(events) ==
          std::vector<HandshakeType>{HandshakeType::client_hello, HandshakeType::server_hello,
                                     HandshakeType::certificate, HandshakeType::server_hello_done,
                                     HandshakeType::client_key_exchange});
    CHECK(events[6].record_length == 48);
    CHECK(events[6].dir == C);
    CHECK(events[6].stream_offset == 121 + 267 + 6);
    const Summary& sum = s.summary();
    // Zeek: TLSv10  TLS_RSA_WITH_AES_128_CBC_SHA  -  192.168.1.150  F  -  -  T  CsxnGIi
    CHECK(version_name_zeek(*sum.version) == "TLSv10");
    CHECK(cipher_suite_name(*sum.cipher_suite) == "TLS_RSA_WITH_AES_128_CBC_SHA");
    CHECK_FALSE(sum.named_group);  // curve "-"
    CHECK(sum.server_name == std::optional<std::string>("192.168.1.150"));
    CHECK_FALSE(sum.resumed);
    CHECK_FALSE(sum.last_alert);
    CHECK(sum.established);
    CHECK(sum.history == "CsxnGIi");
    CHECK(sum.client_finished);
    CHECK(sum.server_finished);
    REQUIRE(sum.server_certificates.size() == 1);
    CHECK(sum.server_certificates[0].size() == 766);
    CHECK(sum.client_certificates.empty());
    CHECK(decode_client_hello(sum.client_hello).ok());
    CHECK(decode_server_hello(sum.server_hello)->cipher_suite == 0x002f);
}

TEST_CASE("tls: session byte by byte gives the same events", "[tls]") {
    const std::vector<Flight> flights = {
        {C, &kNdpiClient1}, {S, &kNdpiServer1}, {C, &kNdpiClient2}, {S, &kNdpiServer2}};
    Session whole;
    auto expected = run_session(whole, flights);
    for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{13}, std::size_t{1000}}) {
        Session s;
        auto got = run_session(s, flights, chunk);
        CHECK(kinds(got) == kinds(expected));
        CHECK(handshake_types(got) == handshake_types(expected));
        for (std::size_t i = 0; i < std::min(got.size(), expected.size()); ++i) {
            CHECK(got[i].stream_offset == expected[i].stream_offset);
            CHECK(got[i].record_length == expected[i].record_length);
        }
        CHECK(s.summary().history == whole.summary().history);
        CHECK(s.summary().named_group == whole.summary().named_group);
        CHECK(s.summary().server_certificates == whole.summary().server_certificates);
    }
    // ndpi result/rdp.pcap.out: TLS 1.2, cipher 0xc030, curve secp256r1, SNI 192.168.2.142.
    const Summary& sum = whole.summary();
    CHECK(sum.version == std::optional<std::uint16_t>(kTLSv12));
    CHECK(sum.cipher_suite == std::optional<std::uint16_t>(0xc030));
    CHECK(named_group_name(*sum.named_group) == "secp256r1");
    CHECK(sum.server_name == std::optional<std::string>("192.168.2.142"));
    CHECK(sum.history == "CsxknGIi");
    CHECK(sum.established);
}

TEST_CASE("tls: session rdp-no-cookie-mstshash matches Zeek's ssl.log", "[tls]") {
    Session s;
    run_session(s, {{C, &kNoCookieClient1}, {S, &kNoCookieServer1}, {C, &kNoCookieClient2}, {S, &kNoCookieServer2}});
    const Summary& sum = s.summary();
    // Zeek: TLSv12  TLS_RSA_WITH_AES_256_GCM_SHA384  -  -  F  -  -  T  CsxnGIi
    CHECK(version_name_zeek(*sum.version) == "TLSv12");
    CHECK(cipher_suite_name(*sum.cipher_suite) == "TLS_RSA_WITH_AES_256_GCM_SHA384");
    CHECK_FALSE(sum.server_name);
    CHECK_FALSE(sum.named_group);
    CHECK(sum.established);
    CHECK(sum.history == "CsxnGIi");
    CHECK(sum.server_certificates.size() == 1);
}

TEST_CASE("tls: session with an encrypted alert (ndpi rdp_over_tls)", "[tls]") {
    Session s;
    auto events = run_session(s, {{S, &kOverTlsEncryptedAlert}});
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == K::encrypted_alert);
    CHECK(events[0].record_length == 26);
    CHECK(s.summary().encrypted_alerts == 1);
    CHECK_FALSE(s.summary().last_alert);
}

TEST_CASE("tls: session TLS 1.3 (lab tls13)", "[tls]") {
    Session s;
    auto events = run_session(s, {{C, &kTls13Client1}, {S, &kTls13Server1}, {C, &kTls13Client2}});
    CHECK(kinds(events) == std::vector<K>{K::handshake, K::handshake, K::change_cipher_spec, K::application_data,
                                          K::change_cipher_spec, K::application_data});
    const Summary& sum = s.summary();
    CHECK(version_name_zeek(*sum.version) == "TLSv13");
    CHECK(cipher_suite_name(*sum.cipher_suite) == "TLS_AES_256_GCM_SHA384");
    CHECK(named_group_name(*sum.named_group) == "x25519");
    CHECK(sum.server_name == std::optional<std::string>("rdp.lab.test"));
    CHECK(sum.alpn_offered == std::vector<std::string>{"h2", "http/1.1"});
    CHECK_FALSE(sum.alpn_selected);  // s_server was not given -alpn
    CHECK(sum.client_max_version == std::optional<std::uint16_t>(kTLSv13));
    CHECK(sum.established);
    CHECK(sum.history == "CsiI");
    CHECK(sum.server_certificates.empty());  // encrypted in TLS 1.3
}

TEST_CASE("tls: session with a HelloRetryRequest (lab hrr)", "[tls]") {
    Session s;
    auto events = run_session(s, {{C, &kHrrClient1}, {S, &kHrrServer1}, {C, &kHrrClient2}, {S, &kHrrServer2}});
    // The client's ChangeCipherSpec is the TLS 1.3 no-op: its second ClientHello is still clear.
    CHECK(kinds(events) == std::vector<K>{K::handshake, K::handshake, K::change_cipher_spec, K::change_cipher_spec,
                                          K::handshake, K::handshake});
    CHECK(handshake_types(events) == std::vector<HandshakeType>{HandshakeType::client_hello,
                                                                HandshakeType::server_hello,
                                                                HandshakeType::client_hello,
                                                                HandshakeType::server_hello});
    const Summary& sum = s.summary();
    CHECK(sum.hello_retry_request);
    CHECK(named_group_name(*sum.named_group) == "secp256r1");
    CHECK(sum.server_name == std::optional<std::string>("hrr.lab.test"));
    CHECK(sum.history == "CsiICs");
    CHECK(decode_server_hello(sum.server_hello)->is_tls13());
}

TEST_CASE("tls: session ending in a clear alert (lab version_alert, unknown_ca)", "[tls]") {
    Session s;
    auto events = run_session(s, {{C, &kVersionAlertClient}, {S, &kVersionAlertServer}});
    REQUIRE(events.size() == 2);
    CHECK(events[1].kind == K::alert);
    CHECK(events[1].dir == S);
    CHECK(alert_description_name(events[1].alert->description) == "protocol_version");
    CHECK(s.summary().last_alert_dir == std::optional<Dir>(S));
    CHECK_FALSE(s.summary().version);
    CHECK_FALSE(s.summary().established);
    CHECK(s.summary().history == "Cl");

    Session u;
    run_session(u, {{C, &kUnknownCaClientHello}, {C, &kUnknownCaAlert}});
    REQUIRE(u.summary().last_alert);
    CHECK(alert_description_name(u.summary().last_alert->description) == "unknown_ca");
    CHECK(u.summary().last_alert_dir == std::optional<Dir>(C));
}

TEST_CASE("tls: session stops a direction that is not TLS", "[tls]") {
    Session s;
    // A TPKT/X.224 Data PDU where TLS was expected (Standard RDP Security).
    auto events = s.feed(C, hex("03 00 00 0c 02 f0 80 04 01 00 01 00"));
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == K::error);
    CHECK(events[0].error->field == "record.content_type");
    CHECK(s.failed(C));
    CHECK_FALSE(s.failed(S));
    CHECK(s.feed(C, kRdpToSslClient1).at(0).kind == K::error);
}

// Record protection by suite: the lengths follow RFC 5246 6.2.3 (CBC: IV,
// plaintext, MAC, padding to the block; stream: plaintext, MAC), RFC 5288 3
// (GCM: 8-byte explicit nonce, 16-byte tag), RFC 7905 (ChaCha20-Poly1305: no
// explicit nonce), RFC 8446 5.2 (TLS 1.3: content type byte, tag).  The
// vectors are the 15-byte CredSSP error TSRequest and the 4-byte Early User
// Authorization Result under each protection, worked out by hand.
TEST_CASE("tls: plaintext length from a protected record's length", "[tls]") {
    using K = RecordProtection::Kind;
    const auto gcm = record_protection(0xC030, kTLSv12);  // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    CHECK(gcm.kind == K::aead);
    CHECK(gcm.nonce == 8);
    CHECK(gcm.tag == 16);
    CHECK(plaintext_length(gcm, 39)->lo == 15);
    CHECK(plaintext_length(gcm, 39)->hi == 15);
    CHECK(plaintext_length(gcm, 28)->lo == 4);
    CHECK(protected_length(gcm, 15) == 39);
    CHECK(!plaintext_length(gcm, 20));  // shorter than nonce and tag

    const auto chacha = record_protection(0xCCA8, kTLSv12);  // TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
    CHECK(chacha.kind == K::aead);
    CHECK(chacha.nonce == 0);
    CHECK(plaintext_length(chacha, 31)->lo == 15);
    CHECK(protected_length(chacha, 4) == 20);

    const auto cbc = record_protection(0xC014, kTLSv12);  // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
    CHECK(cbc.kind == K::block);
    CHECK(cbc.block == 16);
    CHECK(cbc.nonce == 16);
    CHECK(cbc.tag == 20);
    // 15 + 20 + 1 = 36 -> 48, + IV 16 = 64; 4 + 21 = 25 -> 32, + 16 = 48.
    CHECK(protected_length(cbc, 15) == 64);
    CHECK(protected_length(cbc, 4) == 48);
    CHECK(plaintext_length(cbc, 64)->lo == 12);
    CHECK(plaintext_length(cbc, 64)->hi == 27);
    CHECK(!plaintext_length(cbc, 60));  // not IV + whole blocks

    // SHA-256 MAC: the Result and the error TSRequest share one size.
    const auto cbc256 = record_protection(0xC027, kTLSv12);  // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
    CHECK(cbc256.tag == 32);
    CHECK(protected_length(cbc256, 15) == 64);
    CHECK(protected_length(cbc256, 4) == 64);
    CHECK(plaintext_length(cbc256, 64)->contains(4));
    CHECK(plaintext_length(cbc256, 64)->contains(15));

    // TLS 1.0 CBC has no explicit IV; 3DES has 8-byte blocks.
    const auto cbc10 = record_protection(0x000A, kTLSv10);  // TLS_RSA_WITH_3DES_EDE_CBC_SHA
    CHECK(cbc10.block == 8);
    CHECK(cbc10.nonce == 0);
    CHECK(protected_length(cbc10, 15) == 40);  // 15 + 20 + 1 = 36 -> 40

    const auto rc4 = record_protection(0x0005, kTLSv12);  // TLS_RSA_WITH_RC4_128_SHA
    CHECK(rc4.kind == K::stream);
    CHECK(plaintext_length(rc4, 35)->lo == 15);

    const auto t13 = record_protection(0x1302, kTLSv13);  // TLS_AES_256_GCM_SHA384
    CHECK(t13.kind == K::tls13);
    CHECK(plaintext_length(t13, 32)->lo == 15);
    CHECK(plaintext_length(t13, 21)->lo == 4);
    CHECK(plaintext_length(t13, 19)->lo == 2);  // an alert
    CHECK(record_protection(0x1304, kTLSv13).tag == 16);  // TLS_AES_128_CCM_SHA256
    CHECK(record_protection(0x1305, kTLSv13).tag == 8);   // TLS_AES_128_CCM_8_SHA256

    CHECK(record_protection(0xFAFA, kTLSv12).kind == K::unknown);  // GREASE: no suite
    CHECK(!plaintext_length(record_protection(0, kTLSv12), 39));   // TLS_NULL_WITH_NULL_NULL: no MAC
}
