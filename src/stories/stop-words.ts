/**
 * Words that say nothing about which story an item reports, folded as tagging folds them: Indonesian and
 * English function words, news boilerplate ("Sumber: Reuters", "Baca juga", datelines "JAKARTA, KOMPAS.com"),
 * and the outlets and agencies themselves — every story of a day carries those, so they would make unrelated
 * items look alike.
 */
const INDONESIAN = `
ada adalah adanya agar akan akhirnya aku akan amat anda antar antara apa apabila apakah atas atau bagai bagaimana
bagi bahkan bahwa baik banyak baru bawah beberapa begini begitu belum benar berapa berbagai bersama besar beserta
betul bila bisa boleh buat bukan cukup dalam dan dapat dari daripada dekat demi dengan depan di dia diri dirinya
dong dulu hal hampir hanya hari harus hingga ia ialah ini itu jadi jangan jika jikalau juga justru kala kalau kali
kami kamu kan karena ke kebanyakan kecil kedua kembali kemudian kenapa kepada ketika kini kita lagi lain lalu lama
lebih lewat maka mampu mana masih masing mau melalui memang mengenai menjadi menurut merasa mereka meski meskipun
mulai namun nanti nya oleh pada padahal paling para pasti per pernah pula pun saat saja sambil sampai sang sangat
satu saya se sebab sebagai sebelum sebelumnya sebuah secara sedang sedangkan sehingga sejak sekali sekitar selain
selama seluruh semua sementara sendiri seperti serta sesudah setelah setiap si sudah supaya tak tanpa tapi telah
tentang terhadap terjadi termasuk tersebut tetap tetapi tiap tidak tiga dua empat lima enam tujuh delapan sembilan
sepuluh puluh ratus ribu juta miliar triliun yaitu yakni yang tengah usai jelang kata katanya ujar ujarnya ungkap
ungkapnya jelas jelasnya tutur tuturnya menurutnya mengatakan menjelaskan menyebutkan mengungkapkan menambahkan
disebutkan dikatakan sebut sebutnya tambah tambahnya papar paparnya kepada pihak hari ini kemarin besok pekan lalu
sejumlah tersebut yakni bakal sempat terus sendiri langsung berbagai beberapa salah satu tahun bulan minggu
sore pagi malam siang waktu setempat wib wita wit pukul untuk keduanya mereka kedua negara ibu kota seusai
senin selasa rabu kamis jumat sabtu ahad
`;

const ENGLISH = `
a about after all also an and any are as at be been but by can could did do does for from had has have he her his
how i if in into is it its just may more most new no not of on one or other our out over said says she so some
than that the their them then there these they this to up was we were what when which who will with would you
`;

// Boilerplate of Indonesian news pages and the names of agencies and outlets (also as they appear folded in
// datelines: "KOMPAS.com" → kompas, com).
const BOILERPLATE = `
sumber foto baca berita artikel video com co id www http https reuters ap afp antara antaranews kompas detik detikcom
detiknews liputan6 tribunnews tribun cnn cnnindonesia okezone okezonecom tempo tempoco republika viva vivanews suara
suaracom sindonews sindo kumparan bbc bbcindonesia xinhua bernama editor penulis reporter redaksi copyright hak cipta
dilindungi undang simak selengkapnya klik halaman berikutnya lanjutan lengkap terkait ikuti google news
indonesia
`;

/** The stop words, folded. */
export const STOP_WORDS: ReadonlySet<string> = new Set(`${INDONESIAN} ${ENGLISH} ${BOILERPLATE}`.split(/\s+/).filter((w) => w !== ''));

/**
 * Capitalized words that are not names of people, places or organisations: days and months (dates are read as
 * numbers), titles before a name, and the words that open every headline's dateline.
 */
export const NOT_NAMES: ReadonlySet<string> = new Set(
  `
senin selasa rabu kamis jumat sabtu minggu ahad monday tuesday wednesday thursday friday saturday sunday
januari februari maret april mei juni juli agustus september oktober november desember january february march
june july august october december jan feb mar apr jun jul agu aug sep sept okt oct nov des dec
presiden wakil menteri ketua gubernur bupati wali walikota kepala direktur jenderal sekretaris kapolri kapolda
kapolres panglima komandan juru bicara jubir anggota pelatih kapten pemain striker kiper rp us usd idr pt tbk
bapak ibu pak bu mr mrs dr prof ir kota kabupaten provinsi negara pemerintah
barat timur utara selatan tengah daya laut kecamatan kelurahan desa jalan stadion pasar gunung pulau kali sungai
teluk selat danau api level status awas siaga waspada normal badan dinas kantor komisi dewan rapat sidang
`
    .split(/\s+/)
    .filter((w) => w !== ''),
);
