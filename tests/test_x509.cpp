// SPDX-License-Identifier: MIT
// Tests for dissect/x509: certificates from the public captures, compared with Zeek's
// x509.log / ssl.log baselines (/work/shared/pcaps/public/zeek/baselines) and tshark 4.0,
// and certificates made for the purpose with OpenSSL 3.0 ("lab"):
//   expired.der:  faketime '2020-01-01 00:00:00' openssl req -x509 -newkey ec
//                 -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -set_serial 0x0A1B2C3D
//                 -subj "/C=DE/O=rdpscope test/CN=expired.rdpscope.test"
//                 -addext "subjectAltName=DNS:expired.rdpscope.test,DNS:*.lab.rdpscope.test,IP:10.0.0.7"
//   wrong.der:    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256
//                 -subj "/CN=wrong.example/O=rdpscope, test" -addext "subjectAltName=DNS:wrong.example"
//                 (also the server certificate of the lab TLS captures in test_tls.cpp)
//   leaf.der:     an Ed25519 key, CSR "/CN=leaf.rdpscope.test", signed by wrong.der's key with
//                 openssl x509 -req -set_serial 0x00FF01 -days 3650
//                 -extfile "subjectAltName=DNS:leaf.rdpscope.test,IP:192.0.2.1,IP:2001:db8::1"
//   imposter.der: a P-384 key, CSR with wrong.der's very subject, signed by wrong.der's key
//                 (openssl x509 -req -set_serial 7): issuer == subject, yet not self-signed
// each then converted with openssl x509 -outform DER.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "analyze/cert_cache.hpp"
#include "dissect/x509.hpp"
#include "tests/certificates.hpp"
#include "tests/test_util.hpp"

using namespace rdpscope;
using rdpscope::test::hex;

namespace {

// zeek/rdp-to-ssl.pcap frame 9: the server certificate (the only one in the Certificate message) (766 bytes)
const std::vector<std::uint8_t> kWin2k8r2 = rdpscope::test::win2k8r2_certificate();

// zeek/rdp-no-cookie-mstshash.pcap frame 13: the server certificate (768 bytes)
const std::vector<std::uint8_t> kClk456040 = hex(R"(
308202fc308201e4a0030201020210785897aeaaabc0bd4ac73f6eb275d540300d06092a864886f70d01010b05003027
312530230603550403131c434c4b2d3435363034302d442e6f6e652e70686f656e69782e676f76301e170d3234313130
323233313931395a170d3235303530343233313931395a3027312530230603550403131c434c4b2d3435363034302d44
2e6f6e652e70686f656e69782e676f7630820122300d06092a864886f70d01010105000382010f003082010a02820101
00a578757d98228dce3525476a2c07a92577e5cf17050ad28f95fa56c7755c654ea9497f806bb695b7283f1e6accf703
6d248d3ea5021a749628c2471db85bedcc61a1ec8f1a8af1b291033d2402e6df02d044e6db0383b702ae9fc46658dbea
d9c44d56b9f8de43ce150e1fc6a231aad76d20f3280042f237e002562104b077753a459402cf9cd6cbc96aa46f9c0913
f0d35bdaf421e03e7816100c5c0bb59484ee3f7d70c9c97952a46b3e9c4839815b26af9da877dfc1cb8e871d491c1cf5
71404fb17b634965d5a452c9b6e176acc972290f43eef8492d556e643b6d7165b754ea8fad1f2bac3966c5a62df70634
7d22b6881564250c61840a572e3d9e44a90203010001a324302230130603551d25040c300a06082b0601050507030130
0b0603551d0f040403020430300d06092a864886f70d01010b050003820101006f83108524b2e1409e5d15d24a4f5638
6cc62d1b6f36b6d2399c447b5a521e18924d0f0263def041314ab4b17f51e9f26ca6155993b4a53195f7d445630d1bb7
d6e5f02b946f53e94bae67ac015682e1356db46662273d1cb118e2adfd5e60a62f7d4b823d48e1618b945a6bd2ccb751
266c24ef6eaed76bb16c240baf85c74f5d8d9550d86818f5dde6f59d4095e29e3f3afb79d9238d9fc2ab732ba8852f77
8c039919c4c395fa8ceb64398aa6d9feac8c50ea185f06dc2e4a1fc4d67b6aaf5a9ca74f82f03678d59237ecbde52fd3
111026667550eda20b79d5eb0326ed12feffa528683c57e76f01a87a445c89bd88a1841513f86cc4daa6044967dec6ad)");

// ndpi/rdp.pcap frame 8: the server certificate (742 bytes)
const std::vector<std::uint8_t> kOfficeWin10 = hex(R"(
308202e2308201caa00302010202103dde271223f54fa148cca5d217d88b33300d06092a864886f70d01010b0500301a
311830160603550403130f4f46464943452d57494e31302d564d301e170d3139303331393130343731315a170d313930
3931383130343731315a301a311830160603550403130f4f46464943452d57494e31302d564d30820122300d06092a86
4886f70d01010105000382010f003082010a0282010100a69e107c5bd42aad64d84286068d8c20b72d31de34d2413f39
01956d0dc577cf91910894d0f55f7b8d7478ebf9421c314fc96742dd55a2318c7412ffcad753c211ff0bc7ffa53f7ba0
f1333ac59ec9279aba6f7d7157229b0bcf2ba08b5cc79d9727885c096a57c594a86dc43041f738e482ed61d4d97c1dd9
cbed2ec0ddab4a0df89ade2adc9beed83fd4e188bf5592b1ca43511bc9b232d18340353e207b4fbe04748df098d802e7
a83d2e06c13408f7d367c74ba25368a53c41f12e4e702514213478790536ea1c7c6278ea013bcfe9f990e376b6133cb0
c444f0c087cfd43455d7ba12e093bf2f2f02cbdc16cc0ae3c30397e5aaff920b6480196dccb2cd0203010001a3243022
30130603551d25040c300a06082b06010505070301300b0603551d0f040403020430300d06092a864886f70d01010b05
00038201010087bf31566ec914ad93926bea04a7ab5b06a53e54502ff969e9b0365dff76a75443e5715b08e0090cf0e2
9ef1726eef0612ed20b1c240574f362edd3bb0e2002e9de113f5baf3072472f9629e4afb104e45ad4aa55d8b00176043
71977efe01adb36324dad95e4e809a766349986e7a920e8781b64e6b374064adc0a16a60106468a1172bcc36692aefbc
f4e3bb5ef9ce9a8bb1eaf7bde543ab1ef4f7eda82a47265ea2a44ec28ca0ff9cae06308a019a165a1454d146fc5eab93
9f010e9ab17a7869a9915cf4719dd33d83d2d18e4b1f36f180a704dca40814a09594fde739b2e57f750ec975ed688bf1
42b50cab25ed1ceb53977e43a971e3f027196313fe3c)");

// zeek/rdp-x509.pcap frame 12 (GCC ServerSecurityData, Standard RDP Security): X.509 chain cert 1 of 2, at payload offset 165 (351 bytes)
const std::vector<std::uint8_t> kRdpLicensingRoot = hex(R"(
3082015b30820109a003020102020859eb28cb02b1a0d4300906052b0e03021d0500302c312a301106035504031e0a00
530045005200560052301506035504071e0e005400550052004e0042004b004c301e170d313530323131313431353036
5a170d3135303531323030303030305a302c312a301106035504031e0a00530045005200560052301506035504071e0e
005400550052004e0042004b004c305c300d06092a864886f70d0101010500034b003048024100d31474f69f983d5577
57f6680d765c1965f19f8b7d31a605a2aa3b47e14ba9d01a3fce1780402e77838f7bb5e47be12c18eefcc3e277ffd9d6
936ad6ce9809fd0203010001a3133011300f0603551d13040830060101ff020100300906052b0e03021d05000341008a
9264745d17d5003e74c9039a10e0c1f3ae56d8ef0f5523cda88209f56bdad26a18caa9b2a1d12a7aee6b57858a3a07aa
fb116c5fb9feff7592abaa02feac9c)");

// zeek/rdp-x509.pcap frame 12: X.509 chain cert 2 of 2, at payload offset 520 (869 bytes)
const std::vector<std::uint8_t> kRdpLicensingServer = hex(R"(
308203613082030fa00302010202050100000001300906052b0e03021d0500302c312a301106035504031e0a00530045
005200560052301506035504071e0e005400550052004e0042004b004c301e170d3133303430353135313535355a170d
3136313233313233353935395a30818e31818b302106035504031e1a006e00630061006c007200700063003a00530045
005200560052302106035504071e1a006e00630061006c007200700063003a0053004500520056005230430603550405
1e3c003100420063004b006500660059005300460039003700450076006b006100690043007100610068005000590038
0075005000640030003d000d000a305c300d06092a864886f70d0101040500034b003048024100f22d4e9a36ed8f6844
49ede380f86db3fc0360ad644dc4e3a5d200e9247b92efa8657610e7fbe2256f46837c33d8620ccbb366963b13c6772b
60428cb221acc70203010001a38201b7308201b3301406092b06010401823712040101ff040401000500303c06092b06
010401823712020101ff042c4d006900630072006f0073006f0066007400200043006f00720070006f00720061007400
69006f006e0000003081cd06092b06010401823712050101ff0481bc003000000100000002000000090400001c004a00
66004a00b0000100330064003200360037003900350034002d0065006500630037002d0031003100640031002d006200
3900340065002d0030003000640030003400660061003300300038003000640000003300640032003600370039003500
34002d0064006500610037002d0031003200640031002d0062003900340065002d003000300063003000340066006100
330030003800300064000000000000100080d40000000000306806092b06010401823712060101ff0458003000000000
0c003c00530045005200560052000000360039003700310033002d003000310032002d00340037003000310037003600
33002d003400340037003500310000005400550052004e0042004b004c000000000030230603551d230101ff04193017
a10ea40c53004500520056005200000082050100000001300906052b0e03021d0500034100aad15319b38adaf8857735
cc8a23af10d4c0c2407ca60092163e4e65e38331c22395ecbe98581f61d9924279fa483f72aa4064c01d34016491ee23
7ce26bcce3)");

// lab expired.der (530 bytes)
const std::vector<std::uint8_t> kExpired = hex(R"(
3082020e308201b4a00302010202040a1b2c3d300a06082a8648ce3d0403023045310b30090603550406130244453116
3014060355040a0c0d72647073636f70652074657374311e301c06035504030c15657870697265642e72647073636f70
652e74657374301e170d3230303130313030303030305a170d3230303133313030303030305a3045310b300906035504
061302444531163014060355040a0c0d72647073636f70652074657374311e301c06035504030c15657870697265642e
72647073636f70652e746573743059301306072a8648ce3d020106082a8648ce3d03010703420004ca807e2b602f015a
10ff6c9d151d2d8b5938cf3ec93195a5d476adba1368b05b2d043a14c26fcd2b464b35450dc12789156f75a70766c548
f0f726daed777a34a3819130818e301d0603551d0e04160414deaab723a7536af615f8ad999a6af419a4753d53301f06
03551d23041830168014deaab723a7536af615f8ad999a6af419a4753d53300f0603551d130101ff040530030101ff30
3b0603551d11043430328215657870697265642e72647073636f70652e7465737482132a2e6c61622e72647073636f70
652e7465737487040a000007300a06082a8648ce3d040302034800304502202ceb4e0de69a026bd4050b635eeac431db
208a57daf43c69d32e7839a5e9193d022100e41bf7d0404a97c68ad772160dccd37662cb56349a135e199d301eeb126e
a5c3)");

// lab wrong.der (865 bytes)
const std::vector<std::uint8_t> kWrongName = hex(R"(
3082035d30820245a00302010202141062bad87d088b8d98ffdae4ffc0c42c0379aca6300d06092a864886f70d01010b
050030313116301406035504030c0d77726f6e672e6578616d706c6531173015060355040a0c0e72647073636f70652c
2074657374301e170d3236313132313231333131335a170d3336313131383231333131335a3031311630140603550403
0c0d77726f6e672e6578616d706c6531173015060355040a0c0e72647073636f70652c207465737430820122300d0609
2a864886f70d01010105000382010f003082010a0282010100d97008f7089742ffcb72cc831d9b9407f0b229e319c724
3979ecbc153fc78770a4a1bc499dd7294ededf159f4cded0def447cb50296bde77f69b157ed4ab6ba76c451f785daaf1
30130e651640afb1a0adc1cd352b2b719f368d242e0452af967232d59bde1347fb0048d95cf74d6280b6428139d14b07
f756449fbfff54228ddb3fd92332f7777ba8c56535173ba4f2c9e612c9d7518ae39ee6f1363ad62741317a0ec1f0aba1
cee1366aa52ae73ddf780ae6926c4a25146f2855bf957dc4119834c1f8943f49cd49c6660e3b3c4c6426cfc80085d738
3d3e00e3c1b9da8040bf04ca91378ebced8e3984875c69d58061b01fbc9cc40163b96c17252bf3a4350203010001a36d
306b301d0603551d0e04160414d7178788cfb1a81d5aa315730defdd0c773cb16f301f0603551d23041830168014d717
8788cfb1a81d5aa315730defdd0c773cb16f300f0603551d130101ff040530030101ff30180603551d110411300f820d
77726f6e672e6578616d706c65300d06092a864886f70d01010b05000382010100847c48f873bb3095c5c708104d87a3
b60f95c7d544f4d595da9c41d538c6d30e030de0d46a5cd31fbfcd9f1deeb3baa6f393d266c051199b74ec541af0687a
9df9997b9c34f76e87f29b8483dbccedf6c53c41df91780ce3a8549b1c4080f2a6915021a3c34982e87000ef339cd124
2d8bf472ced668e6fc13a99d6f8a3e358ceaa90a486c02236ec859465efc261330729129ad3c052b36111143b9f93551
5fa64eb5819339695b29ab4d68e5766d0c513c7ab54b8eaee6a0e78eea2aa6a34341e12416c352c25e975b24b8ebe2ca
7d476d4fefd10dae51c94d048b1d6071c1a140899b2aba7a3f13d689cd438b1fb53a08e011ecb124f5b5a55fa5d6c57e
fe)");

// lab leaf.der (590 bytes)
const std::vector<std::uint8_t> kLeafEd25519 = hex(R"(
3082024a30820132a003020102020300ff01300d06092a864886f70d01010b050030313116301406035504030c0d7772
6f6e672e6578616d706c6531173015060355040a0c0e72647073636f70652c2074657374301e170d3236313132313231
333131365a170d3336313131383231333131365a301d311b301906035504030c126c6561662e72647073636f70652e74
657374302a300506032b65700321003e8328be9b92108cc3503470c9381e7cfec52eb34e803f4574c049401a3836f4a3
79307730350603551d11042e302c82126c6561662e72647073636f70652e746573748704c0000201871020010db80000
00000000000000000001301d0603551d0e0416041487792aa94ce1ab977e660e089376053149b9d21f301f0603551d23
041830168014d7178788cfb1a81d5aa315730defdd0c773cb16f300d06092a864886f70d01010b0500038201010089c2
716a2e553193055ef4bff361994f695a82862f576caef4c07528410530512af4a2c94d3006d581c12c9fb59038914a76
5b0dceaf0867ae4bcbee23a84d178fc2e145118edc9cfe1da39fe66ed9af9439b03597d4827b90cf8199b762f56532db
82c0410bbd47c6a69be1c2e9c9a2bb83cbb111dfcd394599e8d6f700f3aa78cff9f2d649234993e2425082ae7b9d64bc
5471134b751fb6ecec179aee25cfc7ae399de4c181caa457a97668ff01dc8f283790804d7d62a20f290f94b46cb26282
92fa283256985df94dafd85e699f307e9da736cc181cef7889ddeec6a2976809932c1229f75d25685789814d6db971a3
bee062155e24364a61756a6bb4d2)");

// lab imposter.der (556 bytes)
const std::vector<std::uint8_t> kImposter = hex(R"(
3082022830820110020107300d06092a864886f70d01010b050030313116301406035504030c0d77726f6e672e657861
6d706c6531173015060355040a0c0e72647073636f70652c2074657374301e170d3236313132313231333131365a170d
3336313131383231333131365a30313116301406035504030c0d77726f6e672e6578616d706c6531173015060355040a
0c0e72647073636f70652c20746573743076301006072a8648ce3d020106052b81040022036200049a52410ab464d21d
47725bfad528550b933afb2a4581c16ca351af51d489322ec863f4159d50ee0b7e1e35291ae3647b57c1f5f1432286a3
f99f2358274d3139286e486855abc7755d64331ffa79ad30aa14aa48875d696540265a5a54277fa6300d06092a864886
f70d01010b050003820101009355906fe72ab84a58f4eda5972aab10cd498059c897271ee6b5fe253f41c09ca62f41df
924b00cad63b7ed1ffa69807037bfbe7eaeb7822772d9a6819195e351533bf1f561eb3c91fb2b5a5b940ac0f0e5d967b
9fbece956a6b1d54d22b620600d31445ab2b9581428e4be1dacd1f2b684f341ce1be1391b9c9d01096413a1e1aba6d5c
a933103ff3dc6c74996994b0c14e58ce8fbd6e2a9131057f380696deb00f494646e8499d12f1da77b45c1e2d18bf04ce
e7a7868e6c17b6624caf1eb1705d831e95429a9aaf8eb4103e927a5a5b5fdfb377d2d2cf03b1e5e5bebe46c22e750377
b449e3b08a0854be56035e425def680f4de051162426f8d989f62173)");

// lab utf8.der: openssl req -x509 -utf8 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=B\u00fcrocomputer/O=M\u00fcller & S\u00f6hne" (448 bytes)
const std::vector<std::uint8_t> kUtf8Subject = hex(R"(
308201bc30820161a003020102021459ef5146e9a76f22bb5131f372c39d7299e17f00300a06082a8648ce3d04030230
333116301406035504030c0d42c3bc726f636f6d707574657231193017060355040a0c104dc3bc6c6c657220262053c3
b6686e65301e170d3236313132313231343033375a170d3336313131383231343033375a30333116301406035504030c
0d42c3bc726f636f6d707574657231193017060355040a0c104dc3bc6c6c657220262053c3b6686e653059301306072a
8648ce3d020106082a8648ce3d03010703420004c4a6ea1c9c3c050290eec45ef25b6696341f4cff59b6d622593ae327
322178ae7ff4a5892a302f1b52c40786142637cf3537e15c9bb64e0551d3b669cce5aa93a3533051301d0603551d0e04
160414c8ef00164e4269fa1508a07f22db95ceef96ad99301f0603551d23041830168014c8ef00164e4269fa1508a07f
22db95ceef96ad99300f0603551d130101ff040530030101ff300a06082a8648ce3d0403020349003046022100ccb09f
04bc3408fc480d2e6c24dcd65f69f7713469b1b3071f4b4a3067604e750221008ddbd8836d6170565d720b0b21c3b542
8c49382ceb78b062187a1a3ee8f4091d)");

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("x509: Windows Server 2008 R2 RDP certificate (rdp-to-ssl)", "[x509]") {
    const std::int64_t capture = 1297551044;  // frame 9, 2011-02-12
    auto c = x509::describe(kWin2k8r2, capture);
    REQUIRE(c.ok());
    // Zeek ssl.log: subject / issuer CN=WIN2K8R2.awakecoding.ath.cx, cert_chain_fps a5b05d2a...
    CHECK(c->subject == "CN=WIN2K8R2.awakecoding.ath.cx");
    CHECK(c->subject_zeek == "CN=WIN2K8R2.awakecoding.ath.cx");
    CHECK(c->issuer_zeek == "CN=WIN2K8R2.awakecoding.ath.cx");
    CHECK(c->sha256 == "a5b05d2ae076130aa41060f53ecd72bdf864ea0179250e927549c94d5ab2499a");
    // tshark: serialNumber 0x16ed2aa0..., utcTime 2011-02-12 21:37:35 .. 2021-02-12 00:00:00
    CHECK(c->version == 3);
    CHECK(c->serial == "16ED2AA0495F259D4F5D99EDADA570D1");
    CHECK(c->subject_cn == "WIN2K8R2.awakecoding.ath.cx");
    CHECK(c->not_before == 1297546655);
    CHECK(c->not_after == 1613088000);
    CHECK_FALSE(c->expired_at_capture);
    CHECK_FALSE(c->not_yet_valid_at_capture);
    CHECK(c->self_issued);
    CHECK(c->self_signed);
    CHECK(c->key_type == "rsa");
    CHECK(c->key_bits == 2048);
    CHECK(c->key_alg == "rsaEncryption");
    CHECK(c->exponent == "65537");
    CHECK(c->sig_alg == "sha1WithRSAEncryption");
    CHECK(c->san_dns.empty());
    CHECK(c->san_ip.empty());
    CHECK_FALSE(c->basic_constraints_ca);
    // Zeek ssl.log sni_matches_cert F: the client sent SNI 192.168.1.150.
    CHECK_FALSE(c->matches_name("192.168.1.150"));
    // Zeek x509_check_cert_hostname baseline for this certificate: CN match only.
    CHECK(c->matches_name("WIN2K8R2.awakecoding.ath.cx"));
    CHECK(c->matches_name("win2k8r2.AWAKECODING.ath.cx"));
    CHECK_FALSE(c->matches_name("awakecoding.ath.cx"));
    CHECK_FALSE(c->matches_name("www.zeek.org"));
    // Ten years on it has expired.
    CHECK(x509::describe(kWin2k8r2, 1700000000)->expired_at_capture);
}

TEST_CASE("x509: the certificate cache answers as describe does, validity by capture time", "[x509]") {
    // The rdp-to-ssl certificate (valid 2011-02-12 .. 2021-02-12) described
    // through the cache at its capture time, then again ten years on (from
    // the cache: expired now), and a name check twice each.
    CertificateCache cache;
    const std::int64_t capture = 1297551044;
    auto direct = x509::describe(kWin2k8r2, capture);
    auto cached = cache.describe(kWin2k8r2, capture);
    REQUIRE(cached.ok());
    CHECK(cached->subject == direct->subject);
    CHECK(cached->sha256 == direct->sha256);
    CHECK(cached->key_bits == direct->key_bits);
    CHECK(cached->der == direct->der);
    CHECK_FALSE(cached->expired_at_capture);
    auto later = cache.describe(kWin2k8r2, 1700000000);
    REQUIRE(later.ok());
    CHECK(later->expired_at_capture);
    CHECK_FALSE(later->not_yet_valid_at_capture);
    CHECK(cache.describe(kWin2k8r2, 1000000000)->not_yet_valid_at_capture);  // 2001: before notBefore
    for (int i = 0; i < 2; ++i) {
        CHECK(cache.matches_name(kWin2k8r2, "WIN2K8R2.awakecoding.ath.cx"));
        CHECK_FALSE(cache.matches_name(kWin2k8r2, "192.168.1.150"));
    }
    // Bytes that are no certificate: the same error, also the second time.
    const std::vector<std::uint8_t> junk = {0x30, 0x03, 0x02, 0x01};
    CHECK_FALSE(cache.describe(junk, capture).ok());
    CHECK(cache.describe(junk, capture).error().field == x509::describe(junk, capture).error().field);
}

TEST_CASE("x509: HYBRID_EX server certificate (rdp-no-cookie-mstshash)", "[x509]") {
    const std::int64_t capture = 1739893844;  // frame 13, 2025-02-18
    auto c = x509::describe(kClk456040, capture);
    REQUIRE(c.ok());
    // Zeek ssl.log: CN=CLK-456040-D.one.phoenix.gov both ways, fingerprint 2f24fa5e...
    CHECK(c->subject_zeek == "CN=CLK-456040-D.one.phoenix.gov");
    CHECK(c->issuer_zeek == "CN=CLK-456040-D.one.phoenix.gov");
    CHECK(c->sha256 == "2f24fa5efe1c62447b32aa41af38c4176d03a62ca9c3c8d491946ed283b86cca");
    CHECK(c->serial == "785897AEAAABC0BD4AC73F6EB275D540");
    CHECK(c->not_before == 1730589559);
    CHECK(c->not_after == 1746400759);
    CHECK_FALSE(c->expired_at_capture);
    CHECK(c->sig_alg == "sha256WithRSAEncryption");
    CHECK(c->key_type == "rsa");
    CHECK(c->key_bits == 2048);
    CHECK(c->self_signed);
    CHECK(c->matches_name("clk-456040-d.one.phoenix.gov"));
}

TEST_CASE("x509: Windows 10 server certificate (ndpi rdp.pcap)", "[x509]") {
    auto c = x509::describe(kOfficeWin10, 1559207465);  // frame 8, 2019-05-30
    REQUIRE(c.ok());
    // tshark: serialNumber 0x3dde2712..., CN=OFFICE-WIN10-VM, utcTime 2019-03-19 10:47:11 .. 2019-09-18 10:47:11
    CHECK(c->subject == "CN=OFFICE-WIN10-VM");
    CHECK(c->issuer == "CN=OFFICE-WIN10-VM");
    CHECK(c->serial == "3DDE271223F54FA148CCA5D217D88B33");
    CHECK(c->not_before == 1552992431);
    CHECK(c->not_after == 1568803631);
    CHECK_FALSE(c->expired_at_capture);
    CHECK(c->sig_alg == "sha256WithRSAEncryption");
    CHECK(c->self_signed);
    CHECK_FALSE(c->matches_name("192.168.2.142"));  // the client's SNI
    CHECK(c->matches_name("OFFICE-WIN10-VM"));
}

TEST_CASE("x509: Standard RDP Security chain matches Zeek's x509.log (rdp-x509)", "[x509]") {
    const std::int64_t capture = 1423755602;  // frame 12, 2015-02-12
    SECTION("certificate 1: the licensing root") {
        auto c = x509::describe(kRdpLicensingRoot, capture);
        REQUIRE(c.ok());
        // e3859c4a...  3  59EB28CB02B1A0D4  L=TURNBKL+CN=SERVR  L=TURNBKL+CN=SERVR
        // 1423664106  1431388800  rsaEncryption  sha1WithRSA  rsa  512  65537  ...  T  0
        CHECK(c->sha256 == "e3859c4a77098a7b84589e0cb1171662d15699fc84c19d3421f7d52dc0dc59c9");
        CHECK(c->version == 3);
        CHECK(c->serial == "59EB28CB02B1A0D4");
        CHECK(c->subject_zeek == "L=TURNBKL+CN=SERVR");
        CHECK(c->issuer_zeek == "L=TURNBKL+CN=SERVR");
        CHECK(c->not_before == 1423664106);
        CHECK(c->not_after == 1431388800);
        CHECK(c->key_alg == "rsaEncryption");
        CHECK(c->sig_alg == "sha1WithRSA");
        CHECK(c->key_type == "rsa");
        CHECK(c->key_bits == 512);
        CHECK(c->exponent == "65537");
        CHECK(c->basic_constraints_ca == std::optional<bool>(true));
        CHECK(c->path_len == std::optional<long>(0));
        CHECK(c->self_issued);
        // OpenSSL cannot verify the OIW sha1WithRSA signature, so "self-signed" stays unproven.
        CHECK_FALSE(c->self_signed);
        CHECK(c->subject_cn == "SERVR");
    }
    SECTION("certificate 2: the server, whose key is labelled md5WithRSAEncryption") {
        auto c = x509::describe(kRdpLicensingServer, capture);
        REQUIRE(c.ok());
        // bd976713...  3  0100000001  serialNumber=1BcKefYSF97EvkaiCqahPY8uPd0=\\0D\\0A+L=ncalrpc:SERVR+CN=ncalrpc:SERVR
        // L=TURNBKL+CN=SERVR  1365174955  1483228799  md5WithRSAEncryption  sha1WithRSA  rsa  512  65537
        // (Zeek's log writer doubles the backslash of OpenSSL's \0D escape.)
        CHECK(c->sha256 == "bd97671306086c3393a1bd835340a68043557a7ae131b8ee72f4d015287024ba");
        CHECK(c->serial == "0100000001");
        CHECK(c->subject_zeek == "serialNumber=1BcKefYSF97EvkaiCqahPY8uPd0=\\0D\\0A+L=ncalrpc:SERVR+CN=ncalrpc:SERVR");
        CHECK(c->issuer_zeek == "L=TURNBKL+CN=SERVR");
        CHECK(c->not_before == 1365174955);
        CHECK(c->not_after == 1483228799);
        CHECK(c->key_alg == "md5WithRSAEncryption");
        CHECK(c->sig_alg == "sha1WithRSA");
        CHECK(c->key_type == "rsa");
        CHECK(c->key_bits == 512);
        CHECK(c->exponent == "65537");
        CHECK_FALSE(c->basic_constraints_ca);
        CHECK_FALSE(c->self_issued);
        CHECK(c->subject_cn == "ncalrpc:SERVR");
    }
    SECTION("as a chain, leaf first") {
        auto chain = x509::describe_chain({kRdpLicensingServer, kRdpLicensingRoot}, capture);
        CHECK(chain.chain_length == 2);
        REQUIRE(chain.certs.size() == 2);
        CHECK(chain.certs[0].ok());
        CHECK(chain.certs[1].ok());
        CHECK(chain.ordered);
        CHECK_FALSE(chain.leaf_self_signed);
        auto reversed = x509::describe_chain({kRdpLicensingRoot, kRdpLicensingServer}, capture);
        CHECK_FALSE(reversed.ordered);
    }
}

TEST_CASE("x509: an expired certificate (lab)", "[x509]") {
    const std::int64_t not_after = 1580428800;  // 2020-01-31 00:00:00 UTC
    auto c = x509::describe(kExpired, not_after + 1);
    REQUIRE(c.ok());
    CHECK(c->expired_at_capture);
    CHECK_FALSE(c->not_yet_valid_at_capture);
    CHECK(c->not_before == 1577836800);  // 2020-01-01 00:00:00 UTC
    CHECK(c->not_after == not_after);
    CHECK_FALSE(x509::describe(kExpired, not_after)->expired_at_capture);  // RFC 5280: inclusive
    CHECK(x509::describe(kExpired, 1577836799)->not_yet_valid_at_capture);
    CHECK(c->serial == "0A1B2C3D");
    CHECK(c->subject == "CN=expired.rdpscope.test,O=rdpscope test,C=DE");
    CHECK(c->key_type == "ec");
    CHECK(c->key_bits == 256);
    CHECK(c->curve == "prime256v1");
    CHECK(c->key_alg == "id-ecPublicKey");
    CHECK(c->sig_alg == "ecdsa-with-SHA256");
    CHECK(c->exponent.empty());
    CHECK(c->self_signed);
    CHECK(c->basic_constraints_ca == std::optional<bool>(true));
    CHECK(c->san_dns == Strings{"expired.rdpscope.test", "*.lab.rdpscope.test"});
    CHECK(c->san_ip == Strings{"10.0.0.7"});
    CHECK(c->sha256 == "7fc491bd502e7503d9e379b165ac79a38bbaadfd66a7f0b4d712a876ba14f088");
    CHECK(c->matches_name("expired.rdpscope.test"));
    CHECK(c->matches_name("host1.lab.rdpscope.test"));     // one wildcard label
    CHECK_FALSE(c->matches_name("a.b.lab.rdpscope.test"));  // not two
    CHECK_FALSE(c->matches_name("lab.rdpscope.test"));      // nor zero
    CHECK(c->matches_name("10.0.0.7"));
    CHECK_FALSE(c->matches_name("10.0.0.8"));
    CHECK_FALSE(c->matches_name(""));
}

TEST_CASE("x509: a certificate for another name (lab)", "[x509]") {
    auto c = x509::describe(kWrongName, 1795296700);
    REQUIRE(c.ok());
    // RFC 2253: most specific RDN first, the comma inside the O value escaped.
    CHECK(c->subject == "O=rdpscope\\, test,CN=wrong.example");
    CHECK(c->issuer == c->subject);
    CHECK(c->subject_cn == "wrong.example");
    CHECK(c->serial == "1062BAD87D088B8D98FFDAE4FFC0C42C0379ACA6");
    CHECK(c->key_type == "rsa");
    CHECK(c->key_bits == 2048);
    CHECK(c->sig_alg == "sha256WithRSAEncryption");
    CHECK(c->self_signed);
    CHECK(c->san_dns == Strings{"wrong.example"});
    CHECK(c->matches_name("wrong.example"));
    CHECK_FALSE(c->matches_name("rdp.lab.test"));
    CHECK_FALSE(c->matches_name("127.0.0.1"));
    CHECK_FALSE(c->matches_name("example"));
    CHECK(x509::matches_name(kWrongName, "WRONG.EXAMPLE"));
    CHECK_FALSE(x509::matches_name(hex("3000"), "wrong.example"));
}

TEST_CASE("x509: an Ed25519 leaf with IP SANs, and a chain (lab)", "[x509]") {
    auto c = x509::describe(kLeafEd25519, 1795296700);
    REQUIRE(c.ok());
    CHECK(c->key_type == "ed25519");
    CHECK(c->key_alg == "ED25519");
    CHECK(c->serial == "FF01");
    CHECK(c->issuer == "O=rdpscope\\, test,CN=wrong.example");
    CHECK_FALSE(c->self_issued);
    CHECK_FALSE(c->self_signed);
    CHECK(c->san_ip == Strings{"192.0.2.1", "2001:db8::1"});
    CHECK(c->matches_name("2001:db8::1"));
    CHECK(c->matches_name("2001:DB8:0:0:0:0:0:1"));
    CHECK(c->matches_name("192.0.2.1"));
    CHECK_FALSE(c->matches_name("192.0.2.2"));
    auto chain = x509::describe_chain({kLeafEd25519, kWrongName}, 1795296700);
    CHECK(chain.chain_length == 2);
    CHECK(chain.ordered);
    CHECK_FALSE(chain.leaf_self_signed);
    auto alone = x509::describe_chain({kWrongName}, 1795296700);
    CHECK(alone.ordered);
    CHECK(alone.leaf_self_signed);
}

TEST_CASE("x509: same subject as issuer is not enough to be self-signed (lab)", "[x509]") {
    auto c = x509::describe(kImposter, 1795296700);
    REQUIRE(c.ok());
    CHECK(c->version == 1);
    CHECK(c->self_issued);
    CHECK_FALSE(c->self_signed);  // signed by wrong.der's RSA key, not its own P-384 key
    CHECK(c->key_type == "ec");
    CHECK(c->curve == "secp384r1");
    CHECK(c->key_bits == 384);
}

TEST_CASE("x509: UTF-8 names, ours and Zeek's", "[x509]") {
    auto c = x509::describe(kUtf8Subject, 1795296700);
    REQUIRE(c.ok());
    CHECK(c->subject == "O=M\xC3\xBCller & S\xC3\xB6hne,CN=B\xC3\xBCrocomputer");
    CHECK(c->subject_zeek == "O=M\\C3\\BCller & S\\C3\\B6hne,CN=B\\C3\\BCrocomputer");
    CHECK(c->subject_cn == "B\xC3\xBCrocomputer");
}

TEST_CASE("x509: a DER Name from a CertificateRequest", "[x509]") {
    // wrong.der's subject Name, as a certificate_authorities entry carries it.
    auto n = x509::describe_name(hex("30313116301406035504030c0d77726f6e672e6578616d706c6531173015060355040a0c0e"
                                     "72647073636f70652c2074657374"));
    REQUIRE(n.ok());
    CHECK(*n == "O=rdpscope\\, test,CN=wrong.example");
    CHECK_FALSE(x509::describe_name(hex("3031")).ok());
}

TEST_CASE("x509: malformed DER is an error, never a crash", "[x509]") {
    SECTION("every prefix of a real certificate") {
        const Bytes der(kExpired);
        for (std::size_t n = 0; n < der.size(); ++n) {
            auto c = x509::describe(der.first(n), 0);
            REQUIRE_FALSE(c.ok());
            CHECK(c.error().layer == "x509");
            CHECK(c.error().kind == ErrorKind::malformed);
        }
    }
    SECTION("a byte after the certificate") {
        std::vector<std::uint8_t> v(kExpired.begin(), kExpired.end());
        v.push_back(0);
        auto c = x509::describe(v, 0);
        REQUIRE_FALSE(c.ok());
        CHECK(c.error().field == "certificate.trailing");
        CHECK(c.error().offset == kExpired.size());
    }
    SECTION("garbage and flipped bytes") {
        CHECK(x509::describe(hex("16 03 01 00 05"), 0).error().field == "certificate");
        std::vector<std::uint8_t> v(kExpired.begin(), kExpired.end());
        v[1] ^= 0xff;  // outer SEQUENCE length
        CHECK_FALSE(x509::describe(v, 0).ok());
    }
    SECTION("larger than the cap") {
        std::vector<std::uint8_t> v(x509::kMaxCertificateSize + 1, 0x30);
        CHECK(x509::describe(v, 0).error().kind == ErrorKind::unsupported);
    }
    SECTION("a chain with one bad certificate keeps the others") {
        auto chain = x509::describe_chain({kWin2k8r2, hex("3000")}, 0);
        CHECK(chain.chain_length == 2);
        CHECK(chain.certs[0].ok());
        CHECK_FALSE(chain.certs[1].ok());
        CHECK_FALSE(chain.ordered);
    }
}
