//! Listing cards (issue 16): an article with a resized image shows a small thumbnail on
//! every listing: a 192×144 crop of its lead image, else its smallest files.

use crate::images::{decode, output_file, photo, png, srcset, write_bytes};
use crate::support::Site;

/// A site of three articles: two with photos (one large, one smaller than every width
/// but the first), one without any image.
fn site() -> Site {
    let site = Site::empty(
        "title: Pictures\nbase_url: https://example.org/\nimages:\n  widths: [160, 320, 800, 1600]\n",
    );
    write_bytes(&site, "content/images/street.jpg", &photo(1000, 750, 1));
    write_bytes(&site, "content/images/chart.png", &png(200, 100));
    let post = |title: &str, date: &str, front: &str| {
        format!(
            "---\ntitle: {title}\ndate: {date}\ncategory: World\ntags: [weather]\nauthor: Ana Ruiz\nseries: Storms\n{front}---\n\nBody.\n"
        )
    };
    site.write(
        "content/world/street.md",
        &post("Street", "2026-03-03", "image: /images/street.jpg\nimage_alt: A street\n"),
    );
    site.write(
        "content/world/chart.md",
        &post("Chart", "2026-03-02", "image: /images/chart.png\nimage_alt: A chart\n"),
    );
    site.write("content/world/plain.md", &post("Plain", "2026-03-01", ""));
    site
}

#[test]
fn listing_cards_show_a_small_thumbnail_never_wider_than_the_source() {
    let site = site();
    site.build(&[]);
    // The front page's lead story (Street) shows its own image; the other cards follow.
    let listings = [
        "/world/",
        "/tags/weather/",
        "/authors/ana-ruiz/",
        "/series/storms/",
        "/archive/2026/03/",
        "/",
    ];
    for url in listings {
        let page = site.page(url);
        let cards = page.select(".card");
        assert!(!cards.is_empty(), "{url}");
        for card in cards {
            let sel = |css: &str| scraper::Selector::parse(css).unwrap();
            let title = card.select(&sel(".card-title")).next().unwrap().text().collect::<String>();
            let img = card.select(&sel("picture img")).next();
            let Some(img) = img.map(|i| i.value()) else {
                assert_eq!(title, "Plain", "{url}: a card without thumbnail");
                assert!(card.select(&sel("img, .card-image")).next().is_none(), "{url}");
                continue;
            };
            let (source_width, source_height) = match title.as_str() {
                "Street" => (1000, 750),
                "Chart" => (200, 100),
                other => panic!("{url}: a thumbnail on {other}"),
            };
            let source = card.select(&sel("picture source")).next().unwrap().value();
            assert_eq!(source.attr("type"), Some("image/webp"));
            assert_eq!(img.attr("loading"), Some("lazy"), "{url}");
            assert_eq!(img.attr("decoding"), Some("async"), "{url}");
            assert_eq!(img.attr("alt"), Some(""), "{url}: decorative, beside its title");
            assert_eq!(img.attr("sizes"), Some("6rem"));
            assert_eq!(source.attr("sizes"), Some("6rem"));
            let webp = srcset(source.attr("srcset").unwrap());
            let fallback = srcset(img.attr("srcset").unwrap());
            let widths: Vec<u32> = fallback.iter().map(|(_, w)| *w).collect();
            // Street: its 192×144 thumbnail, then the first page size at least 288 px wide
            // (3× 6rem). Chart has too few pixels for a thumbnail: its smallest files, up
            // to the first at least 288 px wide.
            let expected: &[u32] = if title == "Street" { &[192, 320] } else { &[160, 200] };
            assert_eq!(widths, expected, "{url} {title}");
            assert_eq!(webp.iter().map(|(_, w)| *w).collect::<Vec<_>>(), widths);
            if title == "Street" {
                for (file, _) in [&webp[0], &fallback[0]] {
                    assert!(file.contains(".4x3.192."), "{file}");
                    let (_, decoded) = decode(&output_file(&site, file));
                    assert_eq!((decoded.width(), decoded.height()), (192, 144), "{file}");
                }
            }
            for (file, width) in webp.iter().chain(&fallback) {
                assert!(*width <= source_width);
                let (_, decoded) = decode(&output_file(&site, file));
                assert_eq!(decoded.width(), *width, "{file}");
            }
            let (_, src) = decode(&output_file(&site, img.attr("src").unwrap()));
            assert_eq!(img.attr("width"), Some(src.width().to_string().as_str()), "{url}");
            assert_eq!(img.attr("height"), Some(src.height().to_string().as_str()), "{url}");
            assert_eq!(src.width() * source_height, src.height() * source_width);
        }
    }
    // The front page's lead story is Street, with its full picture, loaded first.
    let home = site.page("/");
    let lead = home.one(".lead-story picture img");
    assert_eq!(lead.value().attr("fetchpriority"), Some("high"));
    assert!(srcset(lead.value().attr("srcset").unwrap()).iter().any(|(_, w)| *w == 800));
}

#[test]
fn a_wide_lead_image_gets_a_thumbnail_of_its_4_3_centre() {
    let site = Site::empty("title: Pictures\nbase_url: https://example.org/\n");
    write_bytes(&site, "content/images/wide.jpg", &photo(1600, 900, 1));
    site.write(
        "content/world/wide.md",
        "---\ntitle: Wide\ndate: 2026-03-03\ntags: [weather]\nimage: /images/wide.jpg\nimage_alt: A street\n---\n\nBody.\n",
    );
    site.write(
        "content/world/plain.md",
        "---\ntitle: Plain\ndate: 2026-03-04\ntags: [weather]\n---\n\nBody.\n",
    );
    site.build(&[]);
    let page = site.page("/tags/weather/");
    let img = page.one(".card-image img");
    let fallback = srcset(img.value().attr("srcset").unwrap());
    assert_eq!(fallback.iter().map(|(_, w)| *w).collect::<Vec<_>>(), [192, 480]);
    assert_eq!(img.value().attr("src"), Some(fallback[0].0.as_str()));
    assert_eq!(img.value().attr("width"), Some("192"));
    assert_eq!(img.value().attr("height"), Some("144"));
    let (format, thumb) = decode(&output_file(&site, &fallback[0].0));
    assert_eq!(format, image::ImageFormat::Jpeg);
    assert_eq!((thumb.width(), thumb.height()), (192, 144));
    let webp = srcset(page.one(".card-image source").value().attr("srcset").unwrap());
    let (format, thumb) = decode(&output_file(&site, &webp[0].0));
    assert_eq!(format, image::ImageFormat::WebP);
    assert_eq!((thumb.width(), thumb.height()), (192, 144));
}
