package dev.minter.attest.aws.iam;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads STS's answer: {@code GetCallerIdentityResponse} on 200, {@code ErrorResponse} otherwise (both in namespace
 * {@value #NS}). The parser refuses any DOCTYPE, so no entity (internal or external) is ever expanded and nothing is
 * fetched: even if the endpoint were not STS, its answer could not read files or make Minter call out (XXE).
 */
public final class StsResponse {
  public static final String NS = "https://sts.amazonaws.com/doc/2011-06-15/";
  private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9.]{1,64}");

  private StsResponse() {}

  /** The caller STS vouched for; a non-200 answer becomes a rejection carrying STS's error code. */
  public static CallerIdentity callerIdentity(StsClient.Answer answer) throws IamRejection {
    if (answer.status() != 200) {
      throw IamRejection.untrusted("STS refused the signed request: HTTP " + answer.status() + errorCode(answer));
    }
    Element root = parse(answer.body());
    expect(root, "GetCallerIdentityResponse");
    Element result = only(root, "GetCallerIdentityResult");
    return new CallerIdentity(text(only(result, "Arn")), text(only(result, "UserId")), text(only(result, "Account")));
  }

  /** {@code ", STS error <Code>"} from an ErrorResponse, or a note that the body was not one. */
  private static String errorCode(StsClient.Answer answer) {
    try {
      Element root = parse(answer.body());
      expect(root, "ErrorResponse");
      String code = text(only(only(root, "Error"), "Code"));
      return ERROR_CODE.matcher(code).matches() ? ", STS error " + code : ", STS error code is not a plain name";
    } catch (IamRejection e) {
      return " (" + e.getMessage() + ")";
    }
  }

  private static Element parse(byte[] xml) throws IamRejection {
    try {
      DocumentBuilder builder = factory().newDocumentBuilder();
      builder.setErrorHandler(SILENT);
      builder.setEntityResolver((publicId, systemId) -> {
        throw new SAXException("external entities are not resolved");
      });
      Document doc = builder.parse(new InputSource(new ByteArrayInputStream(xml)));
      return doc.getDocumentElement();
    } catch (SAXException | IOException e) {
      // The parser's message may quote the document; keep only that it failed.
      throw IamRejection.untrusted("STS answer is not well-formed XML without a DOCTYPE");
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK XML parser cannot be hardened", e);
    }
  }

  /** The JDK's built-in parser (not whatever is on the class path), with every feature that could fetch or expand. */
  private static DocumentBuilderFactory factory() throws ParserConfigurationException {
    DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
    f.setNamespaceAware(true);
    f.setValidating(false);
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    return f;
  }

  private static void expect(Element element, String name) throws IamRejection {
    if (!name.equals(element.getLocalName()) || !NS.equals(element.getNamespaceURI())) {
      throw IamRejection.untrusted("STS answer is not a " + name + " in namespace " + NS);
    }
  }

  /** The one child element {@code name} (in STS's namespace) of {@code parent}; none or several is an error. */
  private static Element only(Element parent, String name) throws IamRejection {
    List<Element> found = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getLocalName()) && NS.equals(e.getNamespaceURI())) {
        found.add(e);
      }
    }
    if (found.size() != 1) {
      throw IamRejection.untrusted("STS answer has " + found.size() + " <" + name + "> elements in <"
          + parent.getLocalName() + "> (expected: exactly one)");
    }
    return found.get(0);
  }

  /** The element's text; it must hold text only (no child elements). */
  private static String text(Element element) throws IamRejection {
    for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() != Node.TEXT_NODE && n.getNodeType() != Node.CDATA_SECTION_NODE) {
        throw IamRejection.untrusted("STS answer <" + element.getLocalName() + "> is not plain text");
      }
    }
    return element.getTextContent().strip();
  }

  private static final ErrorHandler SILENT = new ErrorHandler() {
    @Override
    public void warning(SAXParseException e) {}

    @Override
    public void error(SAXParseException e) throws SAXException {
      throw e;
    }

    @Override
    public void fatalError(SAXParseException e) throws SAXException {
      throw e;
    }
  };

  /**
   * What {@code GetCallerIdentity} returned, as STS sent it (not yet parsed as an ARN).
   *
   * @param arn the caller's ARN
   * @param userId the unique ID of the caller ({@code AIDA…} for users, {@code AROA…:session} for roles)
   * @param account the caller's account ID
   */
  public record CallerIdentity(String arn, String userId, String account) {
    public CallerIdentity {
      requireNonNull(arn, "arn");
      requireNonNull(userId, "userId");
      requireNonNull(account, "account");
    }
  }
}
