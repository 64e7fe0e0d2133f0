#!/usr/bin/env bash
# Regenerates the sample PKI in this folder with the openssl command line only (an implementation
# independent of kyso's own certificate code, so the tests see certificates kyso did not make).
# Keys are test keys: never use them for anything real. Usage: ./generate.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
base="http://127.0.0.1:8080"

cat > "$work/openssl.cnf" <<CNF
[ ca ]
default_ca = sample_ca
[ sample_ca ]
dir = $work
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
email_in_dn = no
utf8 = yes
string_mask = utf8only
[ any ]
countryName = optional
stateOrProvinceName = optional
organizationName = optional
commonName = supplied
UID = optional
[ req ]
distinguished_name = dn
utf8 = yes
string_mask = utf8only
prompt = no
[ dn ]
CN = unused
[ root_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ issuing_ext ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$base/pki/crl/root
[ seal_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = emailProtection,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$base/pki/crl
authorityInfoAccess = OCSP;URI:$base/pki/ocsp,caIssuers;URI:$base/pki/ca/issuing.crt
[ tsa_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$base/pki/crl
[ ocsp_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ encipher_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
touch "$work/index.txt"
openssl rand -hex 16 > "$work/serial"

export OPENSSL_CONF="$work/openssl.cnf"
org="/C=VN/O=kyso sample PKI (test only)"

key() {  # key NAME rsa|ec
  if [[ "$2" == ec ]]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key.pem" 2>/dev/null
  else
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key.pem" 2>/dev/null
  fi
  chmod 600 "$1.key.pem"
}

issue() {  # issue NAME SUBJECT EXTENSION ISSUER [STARTDATE ENDDATE]
  local name=$1 subject=$2 ext=$3 issuer=$4 start=${5:-} end=${6:-}
  openssl req -new -key "$name.key.pem" -subj "$subject" -utf8 -out "$work/$name.csr"
  local dates=(-days 3650)
  [[ -n "$start" ]] && dates=(-startdate "$start" -enddate "$end")
  openssl ca -batch -notext -utf8 -in "$work/$name.csr" -out "$name.crt.pem" -extensions "$ext" \
    -cert "$issuer.crt.pem" -keyfile "$issuer.key.pem" "${dates[@]}" 2>/dev/null
}

key root-ca rsa
openssl req -new -x509 -key root-ca.key.pem -subj "$org/CN=kyso Sample Root CA" -utf8 -days 7300 \
  -extensions root_ext -out root-ca.crt.pem
key issuing-ca rsa
issue issuing-ca "$org/CN=kyso Sample Issuing CA" issuing_ext root-ca
key seal rsa
issue seal "/C=VN/ST=Tỉnh Mẫu/O=Ủy ban nhân dân tỉnh Mẫu/CN=Trung tâm Phục vụ hành chính công (MẪU)/UID=MST:5000123459" seal_ext issuing-ca
key seal-ec ec
issue seal-ec "/C=VN/ST=Tỉnh Mẫu/CN=Nguyễn Văn An/UID=CCCD:068099001234" seal_ext issuing-ca
key tsa rsa
issue tsa "$org/CN=kyso Sample TSA" tsa_ext issuing-ca
key ocsp rsa
issue ocsp "$org/CN=kyso Sample OCSP Responder" ocsp_ext issuing-ca
key expired rsa
issue expired "/C=VN/CN=Chứng thư hết hạn/UID=MST:0101234565" seal_ext issuing-ca 20200101000000Z 20210101000000Z
key encipher-only rsa
issue encipher-only "/C=VN/CN=Không được ký/UID=MST:0101234565" encipher_ext issuing-ca

cat seal.crt.pem issuing-ca.crt.pem > seal-chain.pem
openssl pkcs12 -export -inkey seal.key.pem -in seal.crt.pem -certfile issuing-ca.crt.pem \
  -name "kyso sample seal" -passout pass:kyso-sample -out seal.p12
echo "certs-sample: regenerated $(ls *.pem *.p12 | wc -l) files"
