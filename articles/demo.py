"""Demo articles (`manage.py seed_demo`): educational pieces in Indonesian, with drawn cover images.

The veterinary content is general guidance checked against common practice (WSAVA vaccination
guidelines, Indonesian rabies control); it deliberately gives no medicine doses: those depend on the
animal and belong to a vet.
"""

import datetime
import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts.models import User

from .models import Article, Category

CATEGORIES = [
    ("kesehatan", "Kesehatan", "Vaksinasi, parasit, dan tanda-tanda darurat.", 1),
    ("adopsi", "Adopsi", "Mempersiapkan rumah dan hari-hari pertama bersama hewan adopsi.", 2),
    ("perawatan", "Perawatan & Grooming", "Menyisir, memandikan, dan merawat kuku, telinga, serta gigi.", 3),
    ("nutrisi", "Nutrisi", "Makanan yang aman dan yang harus dihindari.", 4),
]

# slug, category, title, summary, cover colour, days ago, body (Markdown)
ARTICLES = [
    (
        "jadwal-vaksinasi-anjing-dan-kucing",
        "kesehatan",
        "Jadwal Vaksinasi Anjing dan Kucing di Indonesia",
        "Vaksin apa saja yang dibutuhkan anak anjing dan anak kucing, kapan diberikan, "
        "dan mengapa vaksin rabies sangat penting di Indonesia.",
        (46, 125, 175),
        3,
        """Vaksinasi melindungi hewan dari penyakit menular yang sering berakibat fatal, seperti
*parvovirus* dan *distemper* pada anjing atau *panleukopenia* pada kucing. Jadwal yang tepat
ditentukan oleh dokter hewan setelah memeriksa kondisi hewan Anda, tetapi gambaran umumnya seperti
di bawah ini.

## Vaksin inti untuk anjing

- **Distemper, hepatitis (adenovirus), parvovirus, dan parainfluenza** — biasanya digabung dalam
  satu suntikan (sering disebut DHPP).
- **Rabies** — wajib diperhatikan di Indonesia karena rabies masih ditemukan di banyak provinsi.
- **Leptospirosis** — dianjurkan untuk anjing yang sering berada di luar rumah, terutama di daerah
  yang rawan banjir atau banyak tikus.

## Vaksin inti untuk kucing

- **Panleukopenia, rhinotracheitis (herpesvirus), dan calicivirus** — digabung dalam satu suntikan
  (sering disebut *tricat* atau FVRCP).
- **Rabies** — kucing juga dapat tertular dan menularkan rabies.
- **Feline leukemia (FeLV)** — dipertimbangkan untuk kucing yang keluar rumah atau tinggal bersama
  banyak kucing lain; dokter hewan biasanya menyarankan tes terlebih dahulu.

## Gambaran jadwal untuk anak anjing dan anak kucing

| Usia | Yang biasanya dilakukan |
|---|---|
| 6–8 minggu | Pemeriksaan kesehatan, obat cacing sesuai anjuran dokter, vaksin inti pertama |
| 10–12 minggu | Vaksin inti ulangan |
| 12 minggu ke atas | Vaksin rabies pertama (sesuai peraturan daerah dan anjuran dokter) |
| 14–16 minggu | Vaksin inti ulangan terakhir pada seri awal |
| 1 tahun | *Booster* pertama, lalu ulangan berkala sesuai anjuran dokter hewan |

Vaksin inti pada seri awal diulang setiap 3–4 minggu sampai hewan berusia sekitar 16 minggu, karena
antibodi dari induk dapat "menetralkan" vaksin yang diberikan terlalu dini.

## Hal yang perlu diingat

- Vaksin hanya diberikan pada hewan yang sehat. Tunda jika hewan sedang sakit, diare, atau lemas.
- Simpan **buku vaksin** dan bawa setiap kali kontrol. Buku ini juga diminta saat adopsi, penitipan,
  atau perjalanan antarpulau.
- Setelah vaksinasi, hewan boleh tampak sedikit lesu selama sehari. Segera hubungi dokter hewan
  jika muncul bengkak di wajah, muntah berulang, atau sesak napas.
- Banyak Dinas Peternakan dan Puskeswan (Pusat Kesehatan Hewan) mengadakan vaksinasi rabies
  gratis atau bersubsidi. Tanyakan jadwalnya di daerah Anda.
- Sebelum anak anjing atau anak kucing menyelesaikan seri vaksin awal, hindari membawanya ke tempat
  yang banyak dikunjungi hewan lain.

Jika hewan Anda tergigit hewan lain yang tidak jelas status vaksinnya, atau Anda sendiri tergigit,
cuci luka dengan sabun dan air mengalir selama 15 menit, lalu segera ke fasilitas kesehatan.
""",
    ),
    (
        "hari-pertama-bersama-kucing-adopsi",
        "adopsi",
        "Hari-Hari Pertama Bersama Kucing Adopsi",
        "Kucing butuh waktu untuk merasa aman di rumah baru. Begini cara menyiapkan ruangan, "
        "mengatur makan, dan mengenalkannya pada penghuni lain.",
        (214, 122, 72),
        9,
        """Pindah rumah adalah pengalaman yang menegangkan bagi kucing. Banyak kucing adopsi bersembunyi,
tidak mau makan, atau mengeong di malam hari pada beberapa hari pertama. Itu wajar: dengan
persiapan yang baik, sebagian besar kucing mulai nyaman dalam satu sampai dua minggu.

## Sebelum kucing datang

- Siapkan **satu ruangan yang tenang** (misalnya kamar kosong) sebagai "markas" awal.
- Isi dengan kotak pasir, tempat makan dan minum (letakkan berjauhan dari kotak pasir), tempat
  tidur, dan tempat bersembunyi seperti kardus bekas yang diberi lubang.
- Tanyakan kepada pemilik lama atau shelter makanan dan jenis pasir yang biasa dipakai.
- Pastikan jendela dan ventilasi aman, dan simpan tanaman hias yang beracun bagi kucing, terutama
  bunga lili.

## Minggu pertama

1. **Biarkan kucing keluar sendiri dari kandang angkut.** Jangan ditarik atau dipaksa dipeluk.
2. **Berikan makanan yang sama** dengan yang biasa ia makan. Jika ingin mengganti, lakukan bertahap
   selama 7–10 hari dengan mencampur makanan lama dan baru.
3. **Duduk di ruangan itu setiap hari** sambil membaca atau bermain ponsel, agar ia terbiasa dengan
   suara dan bau Anda. Biarkan ia yang mendekat.
4. **Jangan langsung memandikan.** Mandi menambah stres dan jarang diperlukan pada kucing.
5. **Jadwalkan pemeriksaan ke dokter hewan** dalam minggu pertama, dan bawa buku vaksinnya.

## Mengenalkan pada hewan lain

Pisahkan kucing baru dari hewan lain di rumah selama beberapa hari. Tukar selimut atau mainan
mereka agar saling mengenal bau, lalu pertemukan sebentar dengan pengawasan. Tanda bahwa perkenalan
terlalu cepat: mendesis, menggeram, atau bulu berdiri. Jika itu terjadi, mundur satu langkah.

## Kapan harus menghubungi dokter hewan

- Kucing **tidak makan sama sekali lebih dari 24 jam**. Pada kucing, puasa yang lama dapat
  mengganggu fungsi hati.
- Muntah atau diare berulang, bersin disertai mata bernanah, atau tampak sangat lemas.
- Kucing jantan yang bolak-balik ke kotak pasir tetapi sedikit atau tidak ada urine yang keluar:
  ini **keadaan darurat**.

Terakhir, isi laporan perkembangan adopsi secara rutin. Laporan ini membantu pemilik lama atau
shelter memastikan kucing yang mereka rawat mendapat rumah yang baik.
""",
    ),
    (
        "dasar-dasar-grooming-di-rumah",
        "perawatan",
        "Dasar-Dasar Grooming di Rumah",
        "Menyisir, memandikan, memotong kuku, membersihkan telinga, dan menyikat gigi: panduan singkat "
        "agar anjing dan kucing tetap bersih dan sehat di iklim tropis.",
        (92, 153, 102),
        16,
        """Grooming bukan hanya soal penampilan. Saat menyisir atau memandikan, Anda bisa menemukan kutu,
benjolan, luka, atau masalah kulit lebih awal. Iklim Indonesia yang panas dan lembap membuat
perawatan rutin semakin penting.

## Menyisir

- **Bulu pendek:** cukup satu sampai dua kali seminggu dengan sikat karet atau sisir bergigi rapat.
- **Bulu panjang** (misalnya Persia atau Shih Tzu): setiap hari, agar tidak menggumpal. Gumpalan
  bulu yang dibiarkan dapat menarik kulit dan menyebabkan luka.
- Jangan mencukur habis anjing berbulu ganda (seperti Husky atau Pomeranian) untuk "mendinginkan".
  Lapisan bulu justru melindungi kulit dari sengatan matahari.

## Memandikan

- Anjing umumnya cukup dimandikan setiap 2–4 minggu, atau saat kotor. Kucing jarang perlu mandi.
- Gunakan **sampo khusus hewan**. Sampo manusia memiliki pH berbeda dan dapat membuat kulit kering.
- **Keringkan sampai tuntas**, termasuk sela jari dan lipatan kulit. Bulu yang lembap lama di iklim
  lembap memudahkan tumbuhnya jamur.

## Kuku, telinga, dan gigi

- **Kuku:** potong ujungnya sedikit demi sedikit. Hindari bagian merah muda (*quick*) yang berisi
  pembuluh darah. Jika ragu, minta salon atau dokter hewan menunjukkan caranya.
- **Telinga:** bersihkan bagian yang terlihat dengan kapas dan cairan pembersih telinga khusus hewan.
  Jangan memasukkan *cotton bud* ke dalam liang telinga. Bau tidak sedap, kemerahan, atau hewan yang
  sering menggaruk telinga adalah tanda untuk ke dokter hewan.
- **Gigi:** sikat beberapa kali seminggu dengan sikat dan **pasta gigi khusus hewan**. Pasta gigi
  manusia tidak boleh dipakai karena dapat mengandung xylitol atau fluorida yang berbahaya bila
  tertelan.

## Memeriksa kutu dan caplak

Sisir bulu dengan sisir kutu, terutama di leher, belakang telinga, dan pangkal ekor. Caplak pada
anjing dapat menularkan penyakit darah. Tanyakan kepada dokter hewan produk pencegahan yang sesuai
untuk usia dan berat hewan Anda.

Jika hewan Anda takut atau agresif saat dirawat, jangan dipaksa: salon grooming yang berpengalaman
dapat membantu, dan latihan singkat dengan camilan membuat sesi berikutnya lebih mudah.
""",
    ),
    (
        "makanan-berbahaya-untuk-anjing-dan-kucing",
        "nutrisi",
        "Makanan Rumah yang Berbahaya untuk Anjing dan Kucing",
        "Cokelat, anggur, bawang, dan xylitol hanyalah sebagian. Kenali makanan sehari-hari yang "
        "sebaiknya tidak pernah diberikan kepada hewan peliharaan.",
        (150, 96, 160),
        24,
        """Banyak makanan yang aman bagi manusia ternyata berbahaya bagi anjing dan kucing. Simpan makanan
berikut di tempat yang tidak terjangkau hewan, dan beri tahu anggota keluarga serta tamu.

## Jangan diberikan

- **Cokelat, kopi, dan teh** — mengandung zat (teobromin dan kafein) yang dapat menyebabkan muntah,
  jantung berdebar, dan kejang. Cokelat hitam paling berbahaya.
- **Anggur dan kismis** — dapat merusak ginjal anjing, bahkan dalam jumlah sedikit.
- **Bawang merah, bawang putih, bawang bombai, dan daun bawang** — merusak sel darah merah. Waspadai
  juga makanan sisa yang dimasak dengan bumbu bawang.
- **Xylitol** — pemanis pada permen karet, sebagian selai kacang, dan produk "bebas gula". Sangat
  berbahaya bagi anjing.
- **Alkohol dan adonan roti mentah.**
- **Tulang yang sudah dimasak**, terutama tulang ayam — mudah patah tajam dan dapat melukai saluran
  pencernaan.
- **Kacang makadamia** — dapat membuat anjing lemas dan gemetar.

## Perlu hati-hati

- **Makanan sangat asin**, seperti ikan asin atau keripik, tidak cocok untuk hewan.
- **Susu** — banyak kucing dan anjing dewasa tidak dapat mencerna laktosa dengan baik dan mengalami
  diare.
- **Makanan berlemak dan sisa gorengan** dapat memicu peradangan pankreas.
- **Tanaman lili** (bunga potong maupun tanaman pot) sangat beracun bagi kucing, termasuk serbuk
  sarinya.

## Jika hewan terlanjur memakan sesuatu yang berbahaya

1. Jauhkan sisa makanan dan catat apa yang dimakan, perkiraan jumlahnya, dan jamnya.
2. **Jangan memancing muntah sendiri** tanpa arahan dokter hewan.
3. Segera hubungi dokter hewan atau klinik terdekat, atau mulai konsultasi online. Bawa kemasan
   makanannya bila ada.

Makanan komersial lengkap dan seimbang yang sesuai usia, ditambah air minum bersih, adalah pilihan
paling aman. Camilan sebaiknya tidak lebih dari sebagian kecil dari makanan harian.
""",
    ),
    (
        "mencegah-cacing-kutu-dan-caplak",
        "kesehatan",
        "Mencegah Cacing, Kutu, dan Caplak Sepanjang Tahun",
        "Di iklim tropis, parasit aktif sepanjang tahun. Kenali tandanya dan susun jadwal pencegahan "
        "bersama dokter hewan.",
        (60, 140, 140),
        31,
        """Berbeda dengan negara empat musim, di Indonesia kutu, caplak, dan nyamuk aktif sepanjang tahun.
Pencegahan rutin jauh lebih mudah dan murah daripada mengobati penyakit yang ditularkannya.

## Cacing

- Anak anjing dan anak kucing sering sudah membawa cacing dari induknya. Obat cacing biasanya
  diberikan berkala sejak usia beberapa minggu, lalu dilanjutkan secara rutin saat dewasa.
- Tanda cacingan: perut buncit, bulu kusam, diare, berat badan sulit naik, atau cacing terlihat di
  kotoran.
- Beberapa cacing dapat menular ke manusia. Cuci tangan setelah membersihkan kotoran hewan, dan
  bersihkan kotak pasir setiap hari.

## Kutu dan caplak

- Kutu menyebabkan gatal dan dapat membawa cacing pita. Caplak pada anjing dapat menularkan penyakit
  darah seperti *ehrlichiosis* dan *babesiosis*.
- Periksa bulu setelah hewan bermain di luar, terutama di sela jari, telinga, dan leher.
- Cabut caplak dengan pinset dari dekat kulit secara perlahan, jangan diputar atau dipencet badannya.
- Bersihkan tempat tidur hewan dan sedot debu rumah secara rutin: sebagian besar telur kutu ada di
  lingkungan, bukan di tubuh hewan.

## Cacing jantung

Cacing jantung (*heartworm*) ditularkan oleh nyamuk dan dapat berakibat fatal pada anjing. Tanyakan
kepada dokter hewan apakah pencegahan dianjurkan di daerah Anda.

## Menyusun jadwal pencegahan

Produk pencegahan tersedia dalam bentuk tetes kulit, tablet, kalung, atau suntikan. Jenis, jarak
pemberian, dan dosisnya bergantung pada spesies, usia, berat badan, dan kondisi kesehatan. **Jangan
memberikan produk anjing kepada kucing**: beberapa bahan aktif untuk anjing beracun bagi kucing.
Buat jadwal bersama dokter hewan dan catat di buku kesehatan hewan Anda.
""",
    ),
    (
        "tanda-darurat-pada-hewan-peliharaan",
        "kesehatan",
        "Tanda Darurat pada Hewan Peliharaan yang Tidak Boleh Ditunda",
        "Sengatan panas, sulit bernapas, kucing jantan yang tidak bisa buang air kecil: kenali keadaan "
        "yang membutuhkan dokter hewan secepatnya.",
        (196, 70, 70),
        40,
        """Sebagian keluhan bisa ditunggu sampai esok hari, sebagian lain tidak. Hubungi dokter hewan atau
klinik 24 jam **segera** jika Anda melihat tanda-tanda berikut.

## Segera ke dokter hewan

- **Sulit bernapas**: napas berat, mulut terbuka pada kucing, gusi kebiruan atau pucat.
- **Kucing jantan mengejan di kotak pasir** tanpa urine keluar, atau sering mengeong kesakitan saat
  buang air kecil. Sumbatan saluran kemih dapat berakibat fatal dalam satu sampai dua hari.
- **Perut anjing membesar tiba-tiba** disertai usaha muntah tanpa hasil, terutama pada anjing ras
  besar.
- **Kejang**, pingsan, atau tidak dapat berdiri.
- **Muntah atau diare berulang**, terutama jika ada darah, atau pada anak anjing dan anak kucing.
- **Menelan benda asing** (tali, jarum, mainan kecil) atau **racun** (obat manusia, racun tikus,
  pestisida).
- **Luka dalam**, perdarahan yang tidak berhenti, atau setelah tertabrak kendaraan meskipun hewan
  tampak baik-baik saja.

## Sengatan panas (heatstroke)

Suhu dan kelembapan tinggi di Indonesia membuat sengatan panas sering terjadi, terutama pada anjing
berhidung pesek (Pug, Bulldog, Shih Tzu) dan kucing Persia. Tandanya: terengah-engah berat, air
liur berlebihan, lidah sangat merah, lemas, atau muntah.

1. Pindahkan hewan ke tempat teduh dan sejuk.
2. Basahi tubuhnya dengan **air bersuhu biasa** (bukan air es) dan nyalakan kipas.
3. Tawarkan air minum sedikit-sedikit, jangan dipaksa.
4. Bawa ke dokter hewan sesegera mungkin, meskipun hewan tampak membaik.

Jangan pernah meninggalkan hewan di dalam mobil yang terparkir, walaupun hanya sebentar dan jendela
sedikit terbuka.

## Siapkan sebelum terjadi

Simpan nomor klinik hewan terdekat dan klinik 24 jam di ponsel, dan ketahui rutenya. Konsultasi
online dapat membantu menilai seberapa mendesak keadaannya, tetapi tidak menggantikan pemeriksaan
langsung dalam keadaan darurat.
""",
    ),
]


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def _wrap(draw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def cover_image(title: str, category: str, colour: tuple[int, int, int]) -> ContentFile:
    """A 1200x630 cover: a coloured field, paw prints, the category and the title."""
    width, height = 1200, 630
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 45) for c in colour)
    for cx, cy, r in [(980, 140, 70), (1090, 330, 50), (900, 480, 90)]:
        draw.ellipse((cx - r, cy - r * 0.8, cx + r, cy + r * 0.8), fill=light)
        for dx, dy in [(-0.9, -1.3), (-0.3, -1.65), (0.3, -1.65), (0.9, -1.3)]:
            tx, ty, tr = cx + dx * r, cy + dy * r, r * 0.32
            draw.ellipse((tx - tr, ty - tr, tx + tr, ty + tr), fill=light)
    draw.rounded_rectangle(
        (60, 60, 60 + 24 + draw.textlength(category.upper(), font=_font(30)), 112),
        radius=14,
        fill=(255, 255, 255),
    )
    draw.text((72, 68), category.upper(), fill=colour, font=_font(30))
    y = 170
    for line in _wrap(draw, title, _font(64), 760)[:4]:
        draw.text((60, y), line, fill=(255, 255, 255), font=_font(64))
        y += 80
    draw.text((60, height - 80), "HELLOPET!", fill=(255, 255, 255), font=_font(36))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name="cover.jpg")


def seed(stdout=None) -> dict:
    categories = {}
    for slug, name, description, position in CATEGORIES:
        categories[slug], _created = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    author = User.objects.filter(email="admin@hellopet.local").first()
    now = timezone.now()
    created = 0
    for slug, category, title, summary, colour, days_ago, body in ARTICLES:
        if Article.objects.filter(slug=slug).exists():
            continue
        article = Article(
            slug=slug,
            title=title,
            summary=summary,
            body=body.strip(),
            category=categories[category],
            author=author,
            status=Article.Status.PUBLISHED,
            published_at=now - datetime.timedelta(days=days_ago, hours=3),
            cover_alt=title,
        )
        article.cover.save("cover.jpg", cover_image(title, categories[category].name, colour), save=False)
        article.save()
        created += 1
    if stdout is not None:
        stdout.write(f"articles: {created} created, {Article.objects.count()} in total")
    return {"categories": categories}
