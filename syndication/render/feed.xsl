<?xml version="1.0" encoding="UTF-8"?>
<!--
  The browser face of syndication's RSS 2.0 and Atom 1.0 feeds: a browser that
  opens rss.xml or atom.xml applies this stylesheet (the xml-stylesheet
  processing instruction names it, relative to the feed) and shows a page
  instead of raw XML. Feed readers ignore it.

  Safe by construction: every value from the feed is written with
  xsl:value-of, as text (no disable-output-escaping anywhere); the only
  attribute filled from the feed is a link's href, and only with an http or
  https URL. RSS titles and descriptions are HTML-escaped text (see
  syndication/render/rss.py): their character references are decoded here
  into text, never parsed as markup. Bodies (RSS content:encoded, Atom
  content) are shown as the HTML source they are, as text. Styles are inline
  attributes: the gate judges the page with the rules it applies to any HTML,
  which refuse style elements.

  XSLT 1.0 and XPath 1.0 only (what browsers implement). Recursion is kept
  shallow (libxslt stops at 3,000 nested templates): long text is decoded
  halves at a time.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:a="http://www.w3.org/2005/Atom"
    xmlns:at="http://purl.org/atompub/tombstones/1.0"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:media="http://search.yahoo.com/mrss/"
    exclude-result-prefixes="a at content dc media">

  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:variable name="signal">http://cv.iptc.org/newscodes/signal/</xsl:variable>
  <xsl:variable name="publisher-role">publishing company</xsl:variable>

  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="rss/channel">
        <xsl:apply-templates select="rss/channel"/>
      </xsl:when>
      <xsl:when test="a:feed">
        <xsl:apply-templates select="a:feed"/>
      </xsl:when>
      <xsl:otherwise>
        <html>
          <head><title>Not a feed</title></head>
          <body><p>This document is neither an RSS 2.0 nor an Atom 1.0 feed.</p></body>
        </html>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- RSS 2.0 -->
  <xsl:template match="channel">
    <xsl:variable name="title">
      <xsl:call-template name="decode">
        <xsl:with-param name="text" select="title"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="description">
      <xsl:call-template name="decode">
        <xsl:with-param name="text" select="description"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:call-template name="page">
      <xsl:with-param name="kind">RSS 2.0</xsl:with-param>
      <xsl:with-param name="title" select="string($title)"/>
      <xsl:with-param name="description" select="string($description)"/>
      <xsl:with-param name="lang" select="language"/>
      <xsl:with-param name="link" select="link"/>
      <xsl:with-param name="updated" select="lastBuildDate"/>
      <xsl:with-param name="rights" select="copyright"/>
      <xsl:with-param name="count" select="count(item)"/>
      <xsl:with-param name="items">
        <xsl:apply-templates select="item"/>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="item">
    <xsl:variable name="headline">
      <xsl:call-template name="decode">
        <xsl:with-param name="text" select="title"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="summary">
      <xsl:call-template name="decode">
        <xsl:with-param name="text" select="description"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="credit">
      <xsl:choose>
        <xsl:when test="media:credit[@role = $publisher-role]">
          <xsl:value-of select="media:credit[@role = $publisher-role][1]"/>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="dc:rights"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="byline">
      <xsl:for-each select="dc:creator | dc:contributor">
        <xsl:if test="position() &gt; 1">, </xsl:if>
        <xsl:value-of select="."/>
      </xsl:for-each>
    </xsl:variable>
    <xsl:call-template name="item">
      <xsl:with-param name="id" select="guid"/>
      <xsl:with-param name="headline" select="string($headline)"/>
      <xsl:with-param name="link" select="link"/>
      <xsl:with-param name="published" select="pubDate"/>
      <xsl:with-param name="updated" select="a:updated"/>
      <xsl:with-param name="byline" select="string($byline)"/>
      <xsl:with-param name="summary" select="string($summary)"/>
      <xsl:with-param name="body" select="content:encoded"/>
      <xsl:with-param name="credit" select="string($credit)"/>
      <xsl:with-param name="lang" select="dc:language"/>
      <xsl:with-param name="correction"
          select="boolean(category[@domain = $signal and . = 'correction'])"/>
    </xsl:call-template>
  </xsl:template>

  <!-- Atom 1.0 (RFC 4287), with RFC 6721 tombstones -->
  <xsl:template match="a:feed">
    <xsl:call-template name="page">
      <xsl:with-param name="kind">Atom 1.0</xsl:with-param>
      <xsl:with-param name="title">
        <xsl:apply-templates select="a:title" mode="text"/>
      </xsl:with-param>
      <xsl:with-param name="description">
        <xsl:apply-templates select="a:subtitle" mode="text"/>
      </xsl:with-param>
      <xsl:with-param name="lang" select="@xml:lang"/>
      <xsl:with-param name="link"
          select="a:link[@rel = 'alternate' or not(@rel)][1]/@href"/>
      <xsl:with-param name="updated" select="a:updated"/>
      <xsl:with-param name="rights">
        <xsl:apply-templates select="a:rights" mode="text"/>
      </xsl:with-param>
      <xsl:with-param name="count" select="count(a:entry)"/>
      <xsl:with-param name="items">
        <xsl:apply-templates select="a:entry"/>
        <xsl:if test="at:deleted-entry">
          <section id="withdrawn">
            <h2 style="font-size: 1.1em">Withdrawn</h2>
            <ul>
              <xsl:for-each select="at:deleted-entry">
                <li class="withdrawn">
                  <span class="id"><xsl:value-of select="@ref"/></span>
                  <xsl:text> (</xsl:text>
                  <xsl:value-of select="@when"/>
                  <xsl:text>)</xsl:text>
                  <xsl:if test="normalize-space(at:comment)">
                    <xsl:text>: </xsl:text>
                    <xsl:value-of select="at:comment"/>
                  </xsl:if>
                </li>
              </xsl:for-each>
            </ul>
          </section>
        </xsl:if>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="a:entry">
    <xsl:variable name="headline">
      <xsl:apply-templates select="a:title" mode="text"/>
    </xsl:variable>
    <xsl:variable name="summary">
      <xsl:apply-templates select="a:summary" mode="text"/>
    </xsl:variable>
    <xsl:variable name="credit">
      <xsl:apply-templates select="a:rights" mode="text"/>
    </xsl:variable>
    <xsl:variable name="byline">
      <xsl:for-each select="a:author/a:name | a:contributor/a:name">
        <xsl:if test="position() &gt; 1">, </xsl:if>
        <xsl:value-of select="."/>
      </xsl:for-each>
    </xsl:variable>
    <xsl:call-template name="item">
      <xsl:with-param name="id" select="a:id"/>
      <xsl:with-param name="headline" select="string($headline)"/>
      <xsl:with-param name="link"
          select="a:link[@rel = 'alternate' or not(@rel)][1]/@href"/>
      <xsl:with-param name="published" select="a:published"/>
      <xsl:with-param name="updated" select="a:updated"/>
      <xsl:with-param name="byline" select="string($byline)"/>
      <xsl:with-param name="summary" select="string($summary)"/>
      <xsl:with-param name="body" select="a:content"/>
      <xsl:with-param name="credit" select="string($credit)"/>
      <xsl:with-param name="lang" select="@xml:lang"/>
      <xsl:with-param name="correction"
          select="boolean(a:category[@scheme = $signal and @term = 'correction'])"/>
    </xsl:call-template>
  </xsl:template>

  <!-- An Atom text construct as text: type="html" is escaped HTML, whose
       references are decoded; text and xhtml are their characters. -->
  <xsl:template match="*" mode="text">
    <xsl:choose>
      <xsl:when test="@type = 'html'">
        <xsl:call-template name="decode">
          <xsl:with-param name="text" select="."/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="normalize-space(.)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The page around a feed's items. -->
  <xsl:template name="page">
    <xsl:param name="kind"/>
    <xsl:param name="title"/>
    <xsl:param name="description"/>
    <xsl:param name="lang"/>
    <xsl:param name="link"/>
    <xsl:param name="updated"/>
    <xsl:param name="rights"/>
    <xsl:param name="count"/>
    <xsl:param name="items"/>
    <html>
      <xsl:if test="normalize-space($lang)">
        <xsl:attribute name="lang"><xsl:value-of select="normalize-space($lang)"/></xsl:attribute>
      </xsl:if>
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/></title>
      </head>
      <body style="font-family: system-ui, sans-serif; line-height: 1.45; max-width: 48em; margin: 0 auto; padding: 1em; color: #1a1a1a; background: #ffffff; overflow-wrap: anywhere">
        <header>
          <p id="about" style="background: #eef3f8; border: 1px solid #c8d6e5; padding: 0.6em 0.8em; font-size: 0.95em">
            <xsl:text>This is an </xsl:text>
            <xsl:value-of select="$kind"/>
            <xsl:text> feed for news readers and partner systems. To subscribe, copy the address of this page into your feed reader.</xsl:text>
          </p>
          <h1 id="feed-title" style="margin-bottom: 0.2em"><xsl:value-of select="$title"/></h1>
          <xsl:if test="normalize-space($description)">
            <p id="feed-description" style="margin-top: 0"><xsl:value-of select="$description"/></p>
          </xsl:if>
          <p id="feed-facts" style="color: #555555; font-size: 0.9em">
            <xsl:value-of select="$count"/>
            <xsl:text> item(s)</xsl:text>
            <xsl:if test="normalize-space($updated)">
              <xsl:text>; updated </xsl:text>
              <xsl:value-of select="$updated"/>
            </xsl:if>
            <xsl:if test="normalize-space($link)">
              <xsl:text>; </xsl:text>
              <xsl:call-template name="link">
                <xsl:with-param name="url" select="$link"/>
                <xsl:with-param name="text">website</xsl:with-param>
              </xsl:call-template>
            </xsl:if>
          </p>
          <xsl:if test="normalize-space($rights)">
            <p id="feed-rights" style="font-size: 0.9em"><xsl:value-of select="$rights"/></p>
          </xsl:if>
        </header>
        <main>
          <xsl:copy-of select="$items"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <!-- One story. -->
  <xsl:template name="item">
    <xsl:param name="id"/>
    <xsl:param name="headline"/>
    <xsl:param name="link"/>
    <xsl:param name="published"/>
    <xsl:param name="updated"/>
    <xsl:param name="byline"/>
    <xsl:param name="summary"/>
    <xsl:param name="body"/>
    <xsl:param name="credit"/>
    <xsl:param name="lang"/>
    <xsl:param name="correction"/>
    <article class="item" style="border-top: 1px solid #d0d0d0; padding: 0.6em 0 0.8em">
      <xsl:if test="normalize-space($lang)">
        <xsl:attribute name="lang"><xsl:value-of select="normalize-space($lang)"/></xsl:attribute>
      </xsl:if>
      <h2 class="headline" style="font-size: 1.25em; margin: 0.3em 0">
        <xsl:call-template name="link">
          <xsl:with-param name="url" select="$link"/>
          <xsl:with-param name="text" select="$headline"/>
        </xsl:call-template>
      </h2>
      <p class="meta" style="color: #555555; font-size: 0.9em; margin: 0.2em 0">
        <xsl:if test="$correction">
          <strong class="correction" style="color: #8a1f11">Correction</strong>
          <xsl:text> · </xsl:text>
        </xsl:if>
        <xsl:value-of select="$published"/>
        <xsl:if test="normalize-space($updated) and $updated != $published">
          <xsl:text> · updated </xsl:text>
          <xsl:value-of select="$updated"/>
        </xsl:if>
        <xsl:if test="normalize-space($byline)">
          <xsl:text> · </xsl:text>
          <span class="byline"><xsl:value-of select="$byline"/></span>
        </xsl:if>
      </p>
      <xsl:if test="normalize-space($summary)">
        <p class="summary"><xsl:value-of select="$summary"/></p>
      </xsl:if>
      <xsl:if test="normalize-space($credit)">
        <p class="credit" style="font-size: 0.9em; border-left: 3px solid #c8d6e5; padding-left: 0.6em">
          <xsl:text>Credit: </xsl:text>
          <xsl:value-of select="$credit"/>
        </p>
      </xsl:if>
      <xsl:if test="normalize-space($body)">
        <details class="body">
          <summary style="cursor: pointer; font-size: 0.9em">Body (HTML as delivered)</summary>
          <pre style="white-space: pre-wrap; font-size: 0.85em; background: #f6f6f6; padding: 0.6em"><xsl:value-of select="$body"/></pre>
        </details>
      </xsl:if>
      <p class="id" style="color: #777777; font-size: 0.8em; margin: 0.2em 0"><xsl:value-of select="$id"/></p>
    </article>
  </xsl:template>

  <!-- A link when the URL is http or https (any case, spaces around), else
       the text alone: no other scheme ever reaches an href. -->
  <xsl:template name="link">
    <xsl:param name="url"/>
    <xsl:param name="text"/>
    <xsl:variable name="address" select="normalize-space($url)"/>
    <xsl:variable name="lower"
        select="translate(substring($address, 1, 8), 'HTPS', 'htps')"/>
    <xsl:choose>
      <xsl:when test="starts-with($lower, 'http://') or starts-with($lower, 'https://')">
        <a href="{$address}"><xsl:value-of select="$text"/></a>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- HTML-escaped text as the text it stands for: &amp;amp; &amp;lt; &amp;gt;
       &amp;quot; &amp;apos; &amp;#39; &amp;#x27; are decoded, anything else is
       kept as written. Text over 256 characters is split in two at a reference
       boundary (a reference is at most 6 characters long), so the depth of
       recursion grows with the logarithm of the length. -->
  <xsl:template name="decode">
    <xsl:param name="text"/>
    <xsl:variable name="n" select="string-length($text)"/>
    <xsl:choose>
      <xsl:when test="not(contains($text, '&amp;'))">
        <xsl:value-of select="$text"/>
      </xsl:when>
      <xsl:when test="$n &gt; 256">
        <xsl:variable name="middle" select="floor($n div 2)"/>
        <xsl:variable name="tail" select="substring($text, $middle + 1)"/>
        <xsl:choose>
          <xsl:when test="contains($tail, '&amp;')">
            <xsl:call-template name="decode">
              <xsl:with-param name="text"
                  select="concat(substring($text, 1, $middle), substring-before($tail, '&amp;'))"/>
            </xsl:call-template>
            <xsl:call-template name="decode">
              <xsl:with-param name="text"
                  select="concat('&amp;', substring-after($tail, '&amp;'))"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise>
            <!-- No reference starts in the tail: one that starts in the
                 first half ends within the tail's first 5 characters. -->
            <xsl:call-template name="decode">
              <xsl:with-param name="text" select="substring($text, 1, $middle + 8)"/>
            </xsl:call-template>
            <xsl:value-of select="substring($text, $middle + 9)"/>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="substring-before($text, '&amp;')"/>
        <xsl:variable name="rest" select="substring-after($text, '&amp;')"/>
        <xsl:variable name="name" select="substring-before($rest, ';')"/>
        <xsl:variable name="known">
          <xsl:choose>
            <xsl:when test="not(contains($rest, ';'))"></xsl:when>
            <xsl:when test="$name = 'amp'">&amp;</xsl:when>
            <xsl:when test="$name = 'lt'">&lt;</xsl:when>
            <xsl:when test="$name = 'gt'">&gt;</xsl:when>
            <xsl:when test="$name = 'quot'">"</xsl:when>
            <xsl:when test="$name = 'apos' or $name = '#39' or $name = '#x27'">'</xsl:when>
          </xsl:choose>
        </xsl:variable>
        <xsl:choose>
          <xsl:when test="string($known) != ''">
            <xsl:value-of select="$known"/>
            <xsl:call-template name="decode">
              <xsl:with-param name="text" select="substring-after($rest, ';')"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise>
            <xsl:text>&amp;</xsl:text>
            <xsl:call-template name="decode">
              <xsl:with-param name="text" select="$rest"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
